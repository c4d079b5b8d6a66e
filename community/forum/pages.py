"""What each forum page shows, assembled for the view that renders it.

Every list comes from the one visibility rule (``Topic.objects.visible_to``,
``Post.objects.visible_to``); the member's read state and own reactions come in the same
SELECTs (subquery and EXISTS annotations), so a page costs the same number of queries
whatever its number (pinned by tests/forum/test_queries.py). A member's notification
levels cost no query more: their category and tag choices come from the cache
(``actions.levels.member_levels``) and only each topic's own choice is in the SELECT.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy, pgettext_lazy

from community.badges import BadgeLabel
from community.models import MemberDay
from hearth import content_language
from hearth.http import AuthenticatedHttpRequest
from hearth.params import parse_int

from . import fragments, topic_rows
from .actions.emails import EMAIL_KINDS, notification_emails
from .actions.levels import (
    FOLLOWED,
    NORMAL,
    MemberLevels,
    member_levels,
    muted_condition,
    unread_condition,
    without_muted,
)
from .forms import ResolveFlagsForm, TopicModerationForm
from .models import (
    LEVEL_HINTS,
    LISTED,
    POSTS_PER_PAGE,
    TOPICS_PER_PAGE,
    Category,
    FlagOutcome,
    NotificationLevel,
    Post,
    Reaction,
    Topic,
    TopicTag,
    TopicUser,
    is_moderator,
    with_tag_lists,
)
from .reader_state import ReaderState, reader_state

AUTHOR_FIELDS = ("author__username", "author__display_name", "author__avatar")
ANSWERED_FIELDS = ("reply_to__number", "reply_to__author__username")
# A topic the member never opened counts as "new" while it was active this recently.
NEW_TOPIC_WINDOW = timedelta(days=14)
FLAGGED_POSTS_PER_PAGE = 20

Context = dict[str, Any]


class _KnownCountPaginator(Paginator):
    """A paginator that trusts a denormalised count instead of running COUNT(*)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _new_since() -> datetime:
    return timezone.now() - NEW_TOPIC_WINDOW


def _for_member(
    request: HttpRequest,
    topics: QuerySet[Topic],
    levels: MemberLevels,
    *,
    category_mutes: bool = True,
    tags_mute: bool = True,
) -> QuerySet[Topic]:
    """The member's read position and own level on each topic (in the same SELECT),
    without the topics they muted (actions.levels.without_muted)."""
    if not request.user.is_authenticated:
        return topics
    state = TopicUser.objects.filter(topic=OuterRef("pk"), member=request.user)
    topics = topics.annotate(
        my_last_read=Subquery(state.values("last_read_number")[:1]),
        my_level=Subquery(state.values("level")[:1]),
    )
    return without_muted(
        topics, request.user, levels, category_mutes=category_mutes, tags_mute=tags_mute
    )


def _kept_listing(
    request: HttpRequest,
    what: str,
    topics: QuerySet[Topic],
    levels: MemberLevels,
    window: Any,
    *,
    category_mutes: bool = True,
    tags_mute: bool = True,
) -> list[Topic]:
    """``window(topics)`` (ordered, sliced) with their tags and the member's read state.
    The rows are kept for every reader of the same kind (topic_rows.listing) unless the
    member muted something this listing hides; their own read state is one more query."""
    member = request.user if request.user.is_authenticated else None
    mutes = {"category_mutes": category_mutes, "tags_mute": tags_mute}
    if member is None or muted_condition(levels, **mutes) is None:
        kept = topic_rows.listing(request, what, lambda: with_tag_lists(window(topics)))
        if kept is not None:
            rows = kept if member is None else topic_rows.with_reader(kept, member)
            return _unread_counts(rows, levels)
    return _unread_counts(window(_for_member(request, topics, levels, **mutes)), levels)


def _unread_counts(topics: Any, levels: MemberLevels) -> list[Topic]:
    """The listed topics with their tags (``tag_list``), those the member tracks or
    watches with how many posts they have not read (``my_unread``), worked out from the
    rows (no query but the tags', and none for a list that holds them already)."""
    topics = topics if isinstance(topics, list) else with_tag_lists(topics)
    for topic in topics:
        last_read = getattr(topic, "my_last_read", None)
        if not last_read or last_read >= topic.last_post_number:
            continue
        own = getattr(topic, "my_level", "")
        if levels.level_for(topic, own, tags=topic.tag_list) in FOLLOWED:
            topic.my_unread = topic.last_post_number - last_read
    return topics


# --- listings ---------------------------------------------------------------------


def language_filter(request: HttpRequest) -> str | None:
    """The language ``?language=`` narrows a listing to, when Hearth offers it; anything
    else (missing, junk) lists every language."""
    return content_language.valid(request.GET.get("language"))


def _language_context(language: str | None) -> Context:
    return {"language": language, "language_choices": content_language.choices()}


def index_page(request: HttpRequest) -> Context:
    categories = list(
        Category.objects.select_related("last_topic", "last_topic__last_poster").order_by(
            "order", "name"
        )
    )
    for category in categories:
        category.readable = category.may_read(request.user)
    levels = member_levels(request.user)
    language = language_filter(request)
    listed = Topic.objects.listed_for(request.user)
    if language:
        listed = listed.filter(language=language)
    latest = _kept_listing(
        request,
        f"index:{language or ''}",
        listed.for_listing(),
        levels,
        lambda topics: topics.order_by("-last_activity_at")[:10],
    )
    return {
        "lists": TOPIC_LISTS,
        "member_lists": MEMBER_LISTS,
        "categories": categories,
        "latest": latest,
        "new_since": _new_since(),
        **_language_context(language),
    }


def category_page(request: HttpRequest, category: Category) -> Context:
    """Listed topics, pinned first; for moderators also the hidden ones (``?show=hidden``)."""
    moderator = is_moderator(request.user)
    show_hidden = moderator and request.GET.get("show") == "hidden"
    levels = member_levels(request.user)
    language = language_filter(request)
    hidden = Topic.objects.visible_to(request.user).filter(category=category, hidden=True)
    if show_hidden:
        topics = hidden.order_by("-hidden_at", "-id")
    else:
        topics = (
            Topic.objects.listed_for(request.user)
            .filter(category=category)
            .order_by("-pinned", "-last_activity_at", "-id")
        )
    if language:
        topics = topics.filter(language=language)
    topics = topics.select_related("author", "last_poster")
    # The category's own count holds every language: narrowed to one, the page counts.
    paginator = (
        Paginator(topics, TOPICS_PER_PAGE)
        if show_hidden or language
        else _KnownCountPaginator(topics, TOPICS_PER_PAGE, count=category.topic_count)
    )
    page = paginator.get_page(request.GET.get("page"))
    bottom, top = max(page.start_index() - 1, 0), page.end_index()
    page.object_list = _kept_listing(
        request,
        f"category:{category.pk}:{show_hidden}:{language or ''}:{page.number}",
        topics,
        levels,
        lambda rows: rows[bottom:top],
        # Their own choice for this category does not hide its topics here: they asked.
        category_mutes=False,
    )
    return {
        "lists": TOPIC_LISTS,
        "member_lists": MEMBER_LISTS,
        "category": category,
        "page": page,
        "topics": page.object_list,
        "show_hidden": show_hidden,
        "may_start": category.may_start_topic(request.user),
        "new_since": _new_since(),
        "hidden_count": hidden.count() if moderator and not show_hidden else None,
        **_level_control(request, "category", levels.categories.get(category.pk)),
        **_language_context(language),
    }


LEVEL_STATUS = {
    NotificationLevel.WATCHING: gettext_lazy("You are watching: every new post notifies you."),
    NotificationLevel.TRACKING: gettext_lazy(
        "You are tracking: lists show how many posts you have not read."
    ),
    NotificationLevel.NORMAL: gettext_lazy(
        "Not watching. Mentions and answers to you still notify you."
    ),
    NotificationLevel.MUTED: gettext_lazy(
        "Muted: nothing here notifies you, and it stays out of your lists."
    ),
}


def level_choices(level: str | None) -> Context:
    """What the notification level control (forum/_watch.html) shows."""
    current = NotificationLevel(level or NORMAL)
    return {
        "level": current,
        "level_status": LEVEL_STATUS[current],
        "level_choices": [(choice, LEVEL_HINTS[choice]) for choice in NotificationLevel],
    }


def _level_control(request: HttpRequest, kind: str, level: str | None) -> Context:
    """The level control of a category or tag page, for a member (no query: their
    choices are already read)."""
    if not request.user.is_authenticated:
        return {}
    return {"level_target": kind, **level_choices(level)}


def email_choices(member: Any) -> Context:
    """The preferences form's initial values: the member's email choice for each kind."""
    chosen = notification_emails(member)
    return {
        "mentions": member.email_on_mention,
        **{kind: getattr(chosen, kind) for kind in EMAIL_KINDS},
    }


MUTED_TOPICS_SHOWN = 50


def preferences_page(request: AuthenticatedHttpRequest, form: Any) -> Context:
    """The member's forum notification preferences: the email form, a level control for
    each category they may read and each tag they chose, and the topics they muted."""
    member = request.user
    levels = member_levels(member)
    categories = [
        {"category": category, **level_choices(levels.categories.get(category.pk))}
        for category in Category.objects.order_by("order", "name")
        if category.may_read(member)
    ]
    tags = [
        {"tag": tag, **level_choices(levels.tags[tag.pk])}
        for tag in TopicTag.objects.filter(pk__in=list(levels.tags)).order_by("name")
    ]
    muted = TopicUser.objects.filter(member=member, level=NotificationLevel.MUTED)
    muted_topics = list(
        Topic.objects.visible_to(member)
        .filter(pk__in=muted.values("topic"))
        .select_related("category")
        .order_by("-last_activity_at", "-id")[:MUTED_TOPICS_SHOWN]
    )
    return {
        "form": form,
        "categories": categories,
        "tags": tags,
        "muted_topics": muted_topics,
        "email": member.email,
        "level_legend": level_choices(None)["level_choices"],
    }


# --- topic lists: Latest, New, Unread, Top ------------------------------------------

TOPIC_LISTS = {
    "latest": gettext_lazy("Latest"),
    "new": pgettext_lazy("topic list", "New"),
    "unread": gettext_lazy("Unread"),
    "top": gettext_lazy("Top"),
}
# Only a member has a last visit and topics they follow.
MEMBER_LISTS = frozenset({"new", "unread"})
TOP_PERIODS = {
    "week": (gettext_lazy("This week"), 7),
    "month": (gettext_lazy("This month"), 30),
    "year": (gettext_lazy("This year"), 365),
}
DEFAULT_TOP_PERIOD = "month"


def last_visit(member: Any) -> datetime:
    """Where "New" starts for a member: the start of the last day before today they
    visited, but never further back than NEW_TOPIC_WINDOW."""
    floor = timezone.now() - NEW_TOPIC_WINDOW
    day = (
        MemberDay.objects.filter(member=member, day__lt=timezone.localdate())
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if day is None:
        return floor
    return max(floor, timezone.make_aware(datetime.combine(day, time.min)))


def _top(topics: QuerySet[Topic], since: datetime) -> QuerySet[Topic]:
    """Ranked by what happened in the period (replies and reactions), then by views."""
    replies = (
        Post.objects.filter(topic=OuterRef("pk"), number__gt=1, created_at__gte=since)
        .filter(LISTED)
        .order_by()
        .values("topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reactions = (
        Reaction.objects.filter(post__topic=OuterRef("pk"), created_at__gte=since)
        .order_by()
        .values("post__topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        topics.filter(last_activity_at__gte=since)
        .annotate(
            period_replies=Coalesce(Subquery(replies), 0),
            period_reactions=Coalesce(Subquery(reactions), 0),
        )
        .annotate(score=F("period_replies") + F("period_reactions"))
        .order_by("-score", "-views", "-last_activity_at", "-id")
    )


def topic_list_page(
    request: HttpRequest, kind: str, *, category: Category | None, period: str
) -> Context:
    """One of the forum's topic lists, across the forum or in one category. ``kind`` is a
    key of TOPIC_LISTS (a member's list only for a member), ``period`` of TOP_PERIODS."""
    user: Any = request.user  # a member for "new" and "unread" (the view sees to it)
    levels = member_levels(user)
    topics: QuerySet[Topic] = Topic.objects.listed_for(user).for_listing()
    if category is not None:
        topics = topics.filter(category=category)
    topics = _for_member(request, topics, levels)
    since = None
    if kind == "latest":
        topics = topics.order_by("-last_activity_at", "-id")
    elif kind == "new":
        since = last_visit(user)
        opened = TopicUser.objects.filter(topic=OuterRef("pk"), member=user, last_read_number__gt=0)
        topics = topics.filter(created_at__gte=since).exclude(Exists(opened))
        topics = topics.order_by("-created_at", "-id")
    elif kind == "unread":
        # Topics they track or watch (themselves, or by category or tag) and have opened.
        topics = topics.filter(unread_condition(user, levels))
        topics = topics.order_by("-last_activity_at", "-id")
    else:
        topics = _top(topics, timezone.now() - timedelta(days=TOP_PERIODS[period][1]))
    page = Paginator(topics, TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _unread_counts(page.object_list, levels)
    return {
        "kind": kind,
        "title": TOPIC_LISTS[kind],
        "lists": TOPIC_LISTS,
        "member_lists": MEMBER_LISTS,
        "category": category,
        "period": period,
        "period_label": TOP_PERIODS[period][0],
        "periods": {key: label for key, (label, _) in TOP_PERIODS.items()},
        "since": since,
        "page": page,
        "topics": page.object_list,
        "new_since": _new_since(),
        "show_category": category is None,
    }


def tags_page(request: HttpRequest) -> Context:
    # Filtering before annotating counts only the topics the reader may see.
    tags = (
        TopicTag.objects.filter(
            tagged_topics__content_object__in=Topic.objects.listed_for(request.user)
        )
        .annotate(topic_count=Count("tagged_topics"))
        .order_by("-topic_count", "name")
    )
    return {"tags": tags}


def tag_page(request: HttpRequest, tag: TopicTag) -> Context:
    levels = member_levels(request.user)
    topics: QuerySet[Topic] = (
        Topic.objects.listed_for(request.user).filter(tagged_items__tag=tag).for_listing()
    )
    # Tag choices do not hide topics from a tag's own page: they asked for this tag.
    topics = _for_member(request, topics, levels, tags_mute=False)
    topics = topics.order_by("-last_activity_at", "-id")
    page = Paginator(topics, TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _unread_counts(page.object_list, levels)
    return {
        "tag": tag,
        "page": page,
        "topics": page.object_list,
        "new_since": _new_since(),
        **_level_control(request, "tag", levels.tags.get(tag.pk)),
    }


def flag_queue_page(request: HttpRequest) -> Context:
    # Every flagged post that still exists, hidden ones first: a moderation tool over all
    # the rows, not a question of who may see them.
    posts = (
        Post.objects.filter(open_flag_count__gt=0, deleted_at__isnull=True)
        .select_related("topic", "author")
        .prefetch_related("flags__flagger")
        .order_by("-hidden", "-open_flag_count", "id")
    )
    page = Paginator(posts, FLAGGED_POSTS_PER_PAGE).get_page(request.GET.get("page"))
    for post in page.object_list:
        post.open_flags = [f for f in post.flags.all() if f.outcome == FlagOutcome.OPEN]
    return {"page": page, "posts": page.object_list, "form": ResolveFlagsForm()}


# --- the topic page -----------------------------------------------------------------


def topic_for_reading(request: HttpRequest, pk: int) -> Topic | None:
    """The topic if the reader may open it (their own state on it: :func:`topic_page`),
    with its tags (``topic.tag_list``), kept for readers of the same kind (topic_rows)."""
    return topic_rows.topic(
        request,
        pk,
        lambda: (
            Topic.objects.visible_to(request.user)
            .select_related("category", "author")
            .filter(pk=pk)
            .first()
        ),
    )


def page_number(raw: str | None, num_pages: int) -> int:
    """``?page=`` as a page that exists: "last", a number (clamped), or 1."""
    if raw == "last":
        return num_pages
    try:
        number = parse_int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), num_pages)


def topic_page(request: HttpRequest, topic: Topic, number: int) -> Context:
    """One page of posts (a range of post numbers: no OFFSET, no COUNT) with the reader's
    reactions, read state and tools. ``topic`` comes from :func:`topic_for_reading`."""
    member = request.user if request.user.is_authenticated else None
    moderator = is_moderator(member)
    paginator = Paginator(
        range(1, topic.posts_total + 1), POSTS_PER_PAGE, allow_empty_first_page=True
    )
    page = paginator.page(number)
    first, last = (page.start_index(), page.end_index()) if topic.posts_total else (1, 0)
    state = (
        reader_state(topic_id=topic.pk, member=member, first=first, last=last)
        if member is not None
        else ReaderState()
    )
    # The view records the read from here (and Topic.continue_url reads it).
    topic.my_last_read, topic.my_level = state.last_read, state.level
    rows = topic_rows.page(
        request,
        topic,
        number,
        lambda: _posts_on(topic=topic, first=first, last=last, member=member),
        own_held=state.held_posts,
    )
    posts = _with_reader_state(rows.posts, topic=topic, member=member, state=state)
    last_read = state.last_read
    tags = topic.tag_list
    own = state.level
    level = member_levels(member).level_for(topic, own, tags=tags)
    context: Context = {
        "topic": topic,
        "category": topic.category,
        "page": page,
        "tags": tags,
        "is_moderator": moderator,
        "may_reply": topic.may_reply(member),
        "may_mark_solution": topic.may_mark_solution(member),
        **level_choices(level),
        # Their category's or a tag's level decides until they choose one here.
        "level_inherited": not own and level != NORMAL,
        "bookmarked": state.bookmarked,
        "reminders": fragments.QUICK_REMINDERS,
    }
    context["posts"] = _rendered_posts(
        request, posts, topic=topic, member=member, context=context, badges=rows.badges
    )
    context["last_number"] = posts[-1].number if posts else None
    if member is not None:
        if last_read < topic.last_post_number and last_read:
            context["first_unread_url"] = topic.post_url(last_read + 1)
        if context["may_reply"]:
            context["reply_fields"] = fragments.reply_fields(member)
            # What they were writing here, put back in the box by forum.js.
            context["draft"] = {"key": f"reply:{topic.pk}", "body": state.draft}
        if moderator:
            context["moderation_form"] = TopicModerationForm(
                initial={"category": topic.category.slug}
            )
    return context


def _posts_on(*, topic: Topic, first: int, last: int, member: Any) -> list[Post]:
    """The posts numbered ``first`` to ``last`` as ``member`` reads them (the same for
    every reader of their kind unless the page holds their own held posts)."""
    queryset = (
        topic.posts.filter(number__gte=first, number__lte=last)
        .select_related("author")
        # Only what a post shows of its author (forum/fragments.py).
        .only(*(f.name for f in Post._meta.concrete_fields), *AUTHOR_FIELDS)
        .with_shown(member)
    )
    if topic.has_answers:
        # Who answers whom, only in topics where someone answered a post (most have not).
        answers = (
            Post.objects.filter(reply_to=OuterRef("pk"))
            .filter(LISTED)
            .order_by()
            .values("reply_to")
            .annotate(n=Count("pk"))
            .values("n")
        )
        queryset = (
            queryset.select_related("reply_to__author")
            .only(*(f.name for f in Post._meta.concrete_fields), *AUTHOR_FIELDS, *ANSWERED_FIELDS)
            .annotate(answers_count=Coalesce(Subquery(answers), 0))
        )
    return list(queryset.order_by("number"))


def _with_reader_state(
    posts: list[Post], *, topic: Topic, member: Any, state: ReaderState
) -> list[Post]:
    for post in posts:
        post.is_unread = member is not None and post.number > state.last_read
        post.is_solution = post.pk == topic.solution_id
        post.mine = state.reactions.get(post.pk, set())
        post.bookmarked = post.pk in state.bookmarked_posts
    return posts


def _rendered_posts(
    request: HttpRequest,
    posts: list[Post],
    *,
    topic: Topic,
    member: Any,
    context: Context,
    badges: dict[int, BadgeLabel],
) -> list[SafeString]:
    return fragments.render_posts(
        request,
        posts,
        topic=topic,
        member=member,
        moderator=context["is_moderator"],
        badges=badges,
        tools={
            "may_reply": context["may_reply"],
            "may_mark_solution": context["may_mark_solution"],
            "moderator": context["is_moderator"],
        },
    )


def reactions_partial(request: AuthenticatedHttpRequest, post: Post, *, error: str = "") -> str:
    """The reactions under one post after the reader toggled one (htmx), as HTML."""
    post.refresh_from_db(fields=["reaction_counts"])
    mine = set(
        Reaction.objects.filter(post=post, member=request.user).values_list("kind", flat=True)
    )
    return fragments.render_reactions(request, post, mine=mine, error=error)
