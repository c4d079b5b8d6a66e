"""What each forum page shows, assembled for the view that renders it.

Every list comes from the one visibility rule (``Topic.objects.visible_to``,
``Post.objects.visible_to``); the member's read state and own reactions come in the same
SELECTs (subquery and EXISTS annotations), so a page costs the same number of queries
whatever its number (pinned by tests/forum/test_queries.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from community.badges import top_badges
from community.models import MemberDay
from hearth.http import AuthenticatedHttpRequest
from hearth.params import parse_int

from . import fragments
from .forms import ResolveFlagsForm, TopicModerationForm
from .models import (
    LISTED,
    POSTS_PER_PAGE,
    TOPICS_PER_PAGE,
    Bookmark,
    Category,
    Draft,
    FlagOutcome,
    Post,
    Reaction,
    Topic,
    TopicTag,
    TopicUser,
    is_moderator,
)

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


def _with_unread(request: HttpRequest, topics: QuerySet[Topic]) -> QuerySet[Topic]:
    """Annotate topics with the member's read position (in the same SELECT)."""
    if not request.user.is_authenticated:
        return topics
    state = TopicUser.objects.filter(topic=OuterRef("pk"), member=request.user)
    return topics.annotate(my_last_read=Subquery(state.values("last_read_number")[:1]))


# --- listings ---------------------------------------------------------------------


def index_page(request: HttpRequest) -> Context:
    categories = list(
        Category.objects.select_related("last_topic", "last_topic__last_poster").order_by(
            "order", "name"
        )
    )
    for category in categories:
        category.readable = category.may_read(request.user)
    latest = Topic.objects.listed_for(request.user).for_listing().order_by("-last_activity_at")[:10]
    return {
        "lists": TOPIC_LISTS,
        "member_lists": MEMBER_LISTS,
        "categories": categories,
        "latest": _with_unread(request, latest),
        "new_since": _new_since(),
    }


def category_page(request: HttpRequest, category: Category) -> Context:
    """Listed topics, pinned first; for moderators also the hidden ones (``?show=hidden``)."""
    moderator = is_moderator(request.user)
    show_hidden = moderator and request.GET.get("show") == "hidden"
    hidden = Topic.objects.visible_to(request.user).filter(category=category, hidden=True)
    if show_hidden:
        topics = hidden.order_by("-hidden_at", "-id")
    else:
        topics = (
            Topic.objects.listed_for(request.user)
            .filter(category=category)
            .order_by("-pinned", "-last_activity_at", "-id")
        )
    listed = _with_unread(
        request, topics.select_related("author", "last_poster").prefetch_related("tags")
    )
    paginator = (
        Paginator(listed, TOPICS_PER_PAGE)
        if show_hidden
        else _KnownCountPaginator(listed, TOPICS_PER_PAGE, count=category.topic_count)
    )
    page = paginator.get_page(request.GET.get("page"))
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
    }


# --- topic lists: Latest, New, Unread, Top ------------------------------------------

TOPIC_LISTS = {
    "latest": "Latest",
    "new": "New",
    "unread": "Unread",
    "top": "Top",
}
# Only a member has a last visit and topics they follow.
MEMBER_LISTS = frozenset({"new", "unread"})
TOP_PERIODS = {"week": ("This week", 7), "month": ("This month", 30), "year": ("This year", 365)}
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
    topics: QuerySet[Topic] = Topic.objects.listed_for(user).for_listing()
    if category is not None:
        topics = topics.filter(category=category)
    since = None
    if kind == "latest":
        topics = topics.order_by("-last_activity_at", "-id")
    elif kind == "new":
        since = last_visit(user)
        opened = TopicUser.objects.filter(topic=OuterRef("pk"), member=user, last_read_number__gt=0)
        topics = topics.filter(created_at__gte=since).exclude(Exists(opened))
        topics = topics.order_by("-created_at", "-id")
    elif kind == "unread":
        behind = TopicUser.objects.filter(
            topic=OuterRef("pk"),
            member=user,
            watching=True,
            last_read_number__lt=OuterRef("last_post_number"),
        )
        topics = topics.filter(Exists(behind)).order_by("-last_activity_at", "-id")
    else:
        topics = _top(topics, timezone.now() - timedelta(days=TOP_PERIODS[period][1]))
    listed = _with_unread(request, topics)
    page = Paginator(listed, TOPICS_PER_PAGE).get_page(request.GET.get("page"))
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
    topics = (
        Topic.objects.listed_for(request.user)
        .filter(tagged_items__tag=tag)
        .for_listing()
        .order_by("-last_activity_at", "-id")
    )
    page = Paginator(_with_unread(request, topics), TOPICS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {"tag": tag, "page": page, "topics": page.object_list, "new_since": _new_since()}


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
    """The topic if the reader may open it, with their read position and watching."""
    topics = Topic.objects.visible_to(request.user).select_related("category", "author")
    if request.user.is_authenticated:
        state = TopicUser.objects.filter(topic=OuterRef("pk"), member=request.user)
        topics = topics.annotate(
            my_last_read=Subquery(state.values("last_read_number")[:1]),
            my_watching=Subquery(state.values("watching")[:1]),
            my_bookmark=Exists(
                Bookmark.objects.filter(topic=OuterRef("pk"), member=request.user, post=None)
            ),
            my_draft=Subquery(
                Draft.objects.filter(topic=OuterRef("pk"), member=request.user).values("body")[:1]
            ),
        )
    return topics.filter(pk=pk).first()


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
    posts = _posts_on(page, topic=topic, member=member)
    last_read = getattr(topic, "my_last_read", None) or 0
    context: Context = {
        "topic": topic,
        "category": topic.category,
        "page": page,
        "tags": list(topic.tags.all()),
        "is_moderator": moderator,
        "may_reply": topic.may_reply(member),
        "may_mark_solution": topic.may_mark_solution(member),
        "watching": bool(getattr(topic, "my_watching", False)),
        "bookmarked": bool(getattr(topic, "my_bookmark", False)),
        "reminders": fragments.QUICK_REMINDERS,
    }
    context["posts"] = _rendered_posts(request, posts, topic=topic, member=member, context=context)
    context["last_number"] = posts[-1].number if posts else None
    if member is not None:
        if last_read < topic.last_post_number and last_read:
            context["first_unread_url"] = topic.post_url(last_read + 1)
        if context["may_reply"]:
            context["reply_fields"] = fragments.reply_fields(member)
            # What they were writing here, put back in the box by forum.js.
            context["draft"] = {"key": f"reply:{topic.pk}", "body": topic.my_draft or ""}
        if moderator:
            context["moderation_form"] = TopicModerationForm(
                initial={"category": topic.category.slug}
            )
    return context


def _posts_on(page: Page, *, topic: Topic, member: Any) -> list[Post]:
    first, last = (page.start_index(), page.end_index()) if topic.posts_total else (1, 0)
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
    if member is not None:
        queryset = queryset.annotate(
            bookmarked=Exists(Bookmark.objects.filter(post=OuterRef("pk"), member=member))
        )
    posts = list(queryset.order_by("number"))
    mine: dict[int, set[str]] = {}
    if member is not None and posts:
        given = Reaction.objects.filter(member=member, post_id__in=[post.pk for post in posts])
        for post_id, kind in given.values_list("post_id", "kind"):
            mine.setdefault(post_id, set()).add(kind)
    last_read = getattr(topic, "my_last_read", None) or 0
    for post in posts:
        post.is_unread = member is not None and post.number > last_read
        post.is_solution = post.pk == topic.solution_id
        post.mine = mine.get(post.pk, set())
    return posts


def _rendered_posts(
    request: HttpRequest, posts: list[Post], *, topic: Topic, member: Any, context: Context
) -> list[SafeString]:
    return fragments.render_posts(
        request,
        posts,
        topic=topic,
        member=member,
        moderator=context["is_moderator"],
        badges=top_badges(post.author_id for post in posts),
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
