"""Forum pages. Each view: permission helper -> form -> action -> redirect (or partial)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.models import REACTION_KEYS
from hearth.params import int_param, parse_int

from . import actions
from .forms import (
    EditPostForm,
    FlagForm,
    PostModerationForm,
    ReactionForm,
    ReplyForm,
    ResolveFlagsForm,
    TopicForm,
    TopicModerationForm,
    WatchForm,
)
from .models import (
    POSTS_PER_PAGE,
    TOPICS_PER_PAGE,
    Category,
    FlagOutcome,
    Post,
    Reaction,
    Topic,
    TopicTag,
    TopicUser,
)

# --- helpers ----------------------------------------------------------------------


class _KnownCountPaginator(Paginator):
    """A paginator that trusts a denormalised count instead of running COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class _Redirect(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _is_moderator(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_moderator


def _require_member(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise _Redirect(redirect_to_login(request.get_full_path()))


def _get_category_for_reading(request: HttpRequest, slug: str) -> Category:
    category = get_object_or_404(Category, slug=slug)
    if not category.may_read(request.user):
        raise _Redirect(redirect_to_login(request.get_full_path()))
    return category


def _topic_queryset(request: HttpRequest):
    qs = Topic.objects.filter(deleted_at__isnull=True).select_related("category", "author")
    if not _is_moderator(request):
        qs = qs.filter(hidden=False)
    return qs


def _get_topic_for_user(request: HttpRequest, pk: int, qs=None) -> Topic:
    """The topic if the user may read it; 404 for hidden or unknown, sign-in for visitors."""
    topic = (qs if qs is not None else _topic_queryset(request)).filter(pk=pk).first()
    if topic is None:
        raise Http404("No such topic.")
    if not topic.category.may_read(request.user):
        raise _Redirect(redirect_to_login(request.get_full_path()))
    return topic


def _get_post_for_user(request: HttpRequest, pk: int, *, need_visible: bool = True) -> Post:
    post = (
        Post.objects.select_related("topic", "topic__category", "author")
        .filter(pk=pk, deleted_at__isnull=True, topic__deleted_at__isnull=True)
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    moderator = _is_moderator(request)
    if post.topic.hidden and not moderator:
        raise Http404("No such post.")
    if need_visible and post.hidden and not moderator:
        raise Http404("No such post.")
    if not post.topic.category.may_read(request.user):
        raise Http404("No such post.")
    return post


def _get_post_for_member(request: HttpRequest, pk: int, **kwargs) -> Post:
    _require_member(request)
    return _get_post_for_user(request, pk, **kwargs)


def _handles_redirects(view):
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Redirect as exc:
            return exc.response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    wrapper.__wrapped__ = view
    return wrapper


def _error_text(exc) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


def _next_after_post(post: Post) -> str:
    return post.topic.post_url(post.number)


def _page_number(raw: str | None, num_pages: int) -> int:
    if raw == "last":
        return num_pages
    try:
        number = parse_int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), num_pages)


# --- reading ----------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    categories = list(
        Category.objects.select_related("last_topic", "last_topic__last_poster").order_by(
            "order", "name"
        )
    )
    for category in categories:
        category.readable = category.may_read(request.user)
    latest = (
        Topic.objects.listed()
        .filter(category__in=[c for c in categories if c.readable])
        .for_listing()
        .order_by("-last_activity_at")[:10]
    )
    return render(
        request,
        "forum/index.html",
        {
            "categories": categories,
            "latest": _with_unread(request, latest),
            "new_since": _new_since(),
        },
    )


# A topic the member never opened counts as "new" while it was active this recently.
NEW_TOPIC_WINDOW = timedelta(days=14)


def _new_since():
    return timezone.now() - NEW_TOPIC_WINDOW


def _with_unread(request: HttpRequest, topics):
    """Annotate topics with the member's read position (one query, in the same SELECT)."""
    if not request.user.is_authenticated:
        return topics
    state = TopicUser.objects.filter(topic=OuterRef("pk"), member=request.user)
    return topics.annotate(my_last_read=Subquery(state.values("last_read_number")[:1]))


@require_GET
@_handles_redirects
def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = _get_category_for_reading(request, slug)
    show_hidden = _is_moderator(request) and request.GET.get("show") == "hidden"
    if show_hidden:
        topics = Topic.objects.filter(category=category, hidden=True, deleted_at__isnull=True)
        paginator = Paginator(topics.order_by("-hidden_at", "-id"), TOPICS_PER_PAGE)
    else:
        topics = Topic.objects.listed().filter(category=category)
        paginator = _KnownCountPaginator(
            topics.order_by("-pinned", "-last_activity_at", "-id"),
            TOPICS_PER_PAGE,
            count=category.topic_count,
        )
    paginator.object_list = _with_unread(
        request,
        paginator.object_list.select_related("author", "last_poster").prefetch_related("tags"),
    )
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "category": category,
        "page": page,
        "topics": page.object_list,
        "show_hidden": show_hidden,
        "may_start": category.may_start_topic(request.user),
        "new_since": _new_since(),
    }
    if _is_moderator(request) and not show_hidden:
        context["hidden_count"] = Topic.objects.filter(
            category=category, hidden=True, deleted_at__isnull=True
        ).count()
    return render(request, "forum/category.html", context)


@require_GET
def tags(request: HttpRequest) -> HttpResponse:
    readable = Category.objects.readable_by(request.user)
    listed = Q(
        tagged_topics__content_object__hidden=False,
        tagged_topics__content_object__deleted_at__isnull=True,
        tagged_topics__content_object__category__in=readable,
    )
    all_tags = (
        TopicTag.objects.annotate(topic_count=Count("tagged_topics", filter=listed))
        .filter(topic_count__gt=0)
        .order_by("-topic_count", "name")
    )
    return render(request, "forum/tags.html", {"tags": all_tags})


@require_GET
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    the_tag = get_object_or_404(TopicTag, slug=slug)
    topics = (
        Topic.objects.listed()
        .filter(tagged_items__tag=the_tag, category__in=Category.objects.readable_by(request.user))
        .select_related("author", "last_poster", "category")
        .prefetch_related("tags")
        .order_by("-last_activity_at", "-id")
    )
    page = Paginator(_with_unread(request, topics), TOPICS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "forum/tag.html",
        {"tag": the_tag, "page": page, "topics": page.object_list, "new_since": _new_since()},
    )


@require_GET
@_handles_redirects
def topic(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    qs = _topic_queryset(request)
    member = request.user if request.user.is_authenticated else None
    if member is not None:
        state = TopicUser.objects.filter(topic=OuterRef("pk"), member=member)
        qs = qs.annotate(
            my_last_read=Subquery(state.values("last_read_number")[:1]),
            my_watching=Subquery(state.values("watching")[:1]),
        )
    topic = _get_topic_for_user(request, pk, qs)

    pages = Paginator(range(1, topic.posts_total + 1), POSTS_PER_PAGE, allow_empty_first_page=True)
    number = _page_number(request.GET.get("page"), pages.num_pages)
    if slug != topic.slug or (request.GET.get("page") not in (None, str(number))):
        return redirect(topic.page_url(number), permanent=slug != topic.slug)
    page = pages.page(number)
    first, last = (page.start_index(), page.end_index()) if topic.posts_total else (1, 0)

    posts_qs = topic.posts.filter(number__gte=first, number__lte=last).select_related("author")
    if member is not None:
        mine = Reaction.objects.filter(post=OuterRef("pk"), member=member)
        posts_qs = posts_qs.annotate(
            **{f"mine_{key}": Exists(mine.filter(kind=key)) for key in REACTION_KEYS}
        )
    posts = list(posts_qs.order_by("number"))

    last_read = getattr(topic, "my_last_read", None) or 0
    moderator = _is_moderator(request)
    for post in posts:
        post.is_unread = member is not None and post.number > last_read
        post.is_solution = post.pk == topic.solution_id
        post.shown = post.is_visible or moderator
        post.reaction_buttons = [
            (key, emoji, label, count, bool(getattr(post, f"mine_{key}", False)))
            for key, emoji, label, count in post.reactions_display()
        ]
        if member is not None:
            post.can_edit = post.may_edit(member)
            post.can_delete = post.may_delete(member)
    context = {
        "topic": topic,
        "category": topic.category,
        "posts": posts,
        "page": page,
        "tags": list(topic.tags.all()),
        "is_moderator": moderator,
        "may_reply": topic.may_reply(request.user),
        "may_mark_solution": topic.may_mark_solution(request.user),
        "watching": bool(getattr(topic, "my_watching", False)),
    }
    if member is not None:
        if last_read < topic.last_post_number and last_read:
            context["first_unread_url"] = topic.post_url(last_read + 1)
        if context["may_reply"]:
            context["reply_form"] = ReplyForm()
        if moderator:
            context["moderation_form"] = TopicModerationForm(
                initial={"category": topic.category.slug}
            )
        if posts:
            actions.record_read(
                topic=topic, member=member, last_read=topic.my_last_read, up_to=posts[-1].number
            )
    return render(request, "forum/topic.html", context)


@require_GET
@_handles_redirects
def post_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post_for_user(request, pk, need_visible=False)
    return redirect(post.topic.post_url(post.number))


@require_GET
@_handles_redirects
def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post_for_user(request, pk)
    revisions = post.revisions.select_related("editor")
    return render(
        request,
        "forum/post_history.html",
        {"post": post, "topic": post.topic, "revisions": revisions},
    )


@require_GET
@_handles_redirects
def quote(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post_for_member(request, pk)
    return HttpResponse(_quote_text(post), content_type="text/plain; charset=utf-8")


def _quote_text(post: Post) -> str:
    who = f"@{post.author.username}" if post.author else "A former member"
    lines = [f"> {line}" if line else ">" for line in post.source.splitlines()]
    return f"{who} wrote:\n" + "\n".join(lines) + "\n\n"


# --- posting ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_handles_redirects
def new_topic(request: HttpRequest) -> HttpResponse:
    _require_member(request)
    member = request.user
    if request.method == "POST":
        form = TopicForm(request.POST, request.FILES, member=member)
        if form.is_valid():
            try:
                topic = actions.start_topic(
                    category=form.cleaned_data["category"],
                    author=member,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    tags=form.tag_names(),
                    images=form.attachments(),
                )
            except actions.PostingError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your topic is up.")
                return redirect(topic)
    else:
        form = TopicForm(initial={"category": request.GET.get("category")}, member=member)
    if not form.fields["category"].queryset.exists():
        raise PermissionDenied("There is no category you can start a topic in.")
    return render(request, "forum/new_topic.html", {"form": form})


@require_http_methods(["GET", "POST"])
@_handles_redirects
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    _require_member(request)
    topic = _get_topic_for_user(request, pk)
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                post = actions.reply(
                    topic=topic,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    images=form.attachments(),
                )
            except actions.PostingError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your reply is posted.")
                return redirect(_next_after_post(post))
    else:
        initial = {}
        quoted = int_param(request, "quote")
        if quoted is not None:
            post = _get_post_for_user(request, quoted)
            if post.topic_id == topic.pk:
                initial["body"] = _quote_text(post)
        form = ReplyForm(initial=initial)
    return render(
        request,
        "forum/reply.html",
        {"topic": topic, "form": form, "may_reply": topic.may_reply(request.user)},
    )


@require_http_methods(["GET", "POST"])
@_handles_redirects
def edit_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post_for_member(request, pk)
    if not post.may_edit(request.user):
        raise PermissionDenied(
            "You can edit your own post for 24 hours after posting; ask a moderator now."
        )
    topic = post.topic
    opening = post.is_opening
    if request.method == "POST":
        form = EditPostForm(request.POST, member=request.user, opening=opening)
        if form.is_valid():
            try:
                actions.edit_post(
                    post=post,
                    editor=request.user,
                    body=form.cleaned_data["body"],
                    title=form.cleaned_data.get("title") if opening else None,
                    tags=form.tag_names() if opening else None,
                )
            except actions.PostingError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your changes are saved.")
                return redirect(_next_after_post(post))
    else:
        initial = {"body": post.source}
        if opening:
            initial["title"] = topic.title
            initial["tags"] = [tag.name for tag in topic.tags.all()]
        form = EditPostForm(initial=initial, member=request.user, opening=opening)
    return render(request, "forum/edit_post.html", {"form": form, "post": post, "topic": topic})


@require_http_methods(["GET", "POST"])
@_handles_redirects
def delete_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post_for_member(request, pk, need_visible=False)
    if not post.may_delete(request.user):
        raise PermissionDenied("Only the author or a moderator can delete this post.")
    if request.method == "POST":
        topic = post.topic
        try:
            actions.delete_post(post=post, member=request.user)
        except actions.PostingError as exc:
            messages.error(request, _error_text(exc))
            return redirect(_next_after_post(post))
        if post.is_opening:
            messages.success(request, "The topic is deleted.")
            return redirect(topic.category)
        messages.success(request, "The post is deleted.")
        return redirect(topic.post_url(post.number))
    return render(request, "forum/delete_post.html", {"post": post, "topic": post.topic})


# --- reactions, solutions, watching -----------------------------------------------


@require_POST
@_handles_redirects
def react(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post_for_member(request, pk)
    form = ReactionForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Choose one of the reactions shown."
    else:
        try:
            actions.toggle_reaction(post=post, member=request.user, kind=form.cleaned_data["kind"])
        except actions.PostingError as exc:
            error = _error_text(exc)
    if request.htmx:
        post.refresh_from_db(fields=["reaction_counts"])
        mine = set(
            Reaction.objects.filter(post=post, member=request.user).values_list("kind", flat=True)
        )
        post.reaction_buttons = [
            (key, emoji, label, count, key in mine)
            for key, emoji, label, count in post.reactions_display()
        ]
        return render(
            request,
            "forum/_reactions.html",
            {"post": post, "reaction_error": error},
            status=200,
        )
    if error:
        messages.error(request, error)
    return redirect(_next_after_post(post))


@require_POST
@_handles_redirects
def solution(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post_for_member(request, pk)
    if not post.topic.may_mark_solution(request.user):
        raise PermissionDenied("Only the topic's author or a moderator can mark the solution.")
    try:
        topic = actions.mark_solution(post=post, member=request.user)
    except actions.PostingError as exc:
        messages.error(request, _error_text(exc))
    else:
        if topic.solution_id == post.pk:
            messages.success(request, "Marked as the solution.")
        else:
            messages.success(request, "The solution mark is removed.")
    return redirect(_next_after_post(post))


@require_POST
@_handles_redirects
def watch(request: HttpRequest, pk: int) -> HttpResponse:
    _require_member(request)
    topic = _get_topic_for_user(request, pk)
    form = WatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to watch the topic.")
        return redirect(topic)
    watching = form.cleaned_data["watching"]
    actions.set_watching(topic=topic, member=request.user, watching=watching)
    if request.htmx:
        return render(request, "forum/_watch.html", {"topic": topic, "watching": watching})
    messages.success(
        request,
        "You are watching this topic: replies will notify you."
        if watching
        else "You stopped watching this topic.",
    )
    return redirect(topic)


# --- flags and moderation ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_handles_redirects
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post_for_member(request, pk)
    if post.author_id == request.user.pk:
        raise PermissionDenied("You cannot flag your own post.")
    if request.method == "POST":
        form = FlagForm(request.POST)
        if form.is_valid():
            try:
                actions.flag_post(
                    post=post,
                    flagger=request.user,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                )
            except actions.PostingError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Thank you: the moderators will take a look.")
                return redirect(_next_after_post(post))
    else:
        form = FlagForm()
    return render(request, "forum/flag.html", {"form": form, "post": post, "topic": post.topic})


def _require_moderator(request: HttpRequest) -> None:
    _require_member(request)
    if not request.user.is_moderator:
        raise PermissionDenied("Only moderators can do that.")


@require_POST
@_handles_redirects
def moderate_topic(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    topic = _get_topic_for_user(request, pk)
    form = TopicModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(topic)
    action = form.cleaned_data["action"]
    moderator = request.user
    done = {
        "pin": lambda: actions.set_pinned(topic=topic, moderator=moderator, pinned=True),
        "unpin": lambda: actions.set_pinned(topic=topic, moderator=moderator, pinned=False),
        "lock": lambda: actions.set_locked(topic=topic, moderator=moderator, locked=True),
        "unlock": lambda: actions.set_locked(topic=topic, moderator=moderator, locked=False),
        "hide": lambda: actions.hide_topic(
            topic=topic, moderator=moderator, reason=form.cleaned_data["reason"]
        ),
        "unhide": lambda: actions.unhide_topic(topic=topic, moderator=moderator),
        "move": lambda: actions.move_topic(
            topic=topic, moderator=moderator, category=form.cleaned_data["category"]
        ),
    }
    try:
        done[action]()
    except actions.PostingError as exc:
        messages.error(request, _error_text(exc))
    else:
        labels = {
            "pin": "pinned",
            "unpin": "unpinned",
            "lock": "locked",
            "unlock": "unlocked",
            "hide": "hidden",
            "unhide": "visible again",
            "move": f"moved to {topic.category.name}",
        }
        messages.success(request, f"The topic is {labels[action]}.")
    return redirect(topic)


@require_POST
@_handles_redirects
def moderate_post(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    post = _get_post_for_user(request, pk, need_visible=False)
    form = PostModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(_next_after_post(post))
    if form.cleaned_data["action"] == "hide":
        actions.hide_post(post=post, moderator=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "The post is hidden.")
    else:
        actions.unhide_post(post=post, moderator=request.user)
        messages.success(request, "The post is visible again.")
    return redirect(_next_after_post(post))


@require_GET
@_handles_redirects
def flag_queue(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    posts = (
        Post.objects.filter(open_flag_count__gt=0, deleted_at__isnull=True)
        .select_related("topic", "author")
        .prefetch_related("flags__flagger")
        .order_by("-hidden", "-open_flag_count", "id")
    )
    page = Paginator(posts, 20).get_page(request.GET.get("page"))
    for post in page.object_list:
        post.open_flags = [f for f in post.flags.all() if f.outcome == FlagOutcome.OPEN]
    return render(
        request,
        "forum/flags.html",
        {"page": page, "posts": page.object_list, "form": ResolveFlagsForm()},
    )


@require_POST
@_handles_redirects
def resolve_flags(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    post = get_object_or_404(Post.objects.select_related("topic"), pk=pk)
    form = ResolveFlagsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose “hide” or “dismiss”.")
        return redirect("forum:flags")
    outcome = form.cleaned_data["outcome"]
    closed = actions.resolve_flags(post=post, moderator=request.user, outcome=outcome)
    if not closed:
        messages.info(request, "Those flags were already reviewed.")
    elif outcome == FlagOutcome.HIDDEN:
        messages.success(request, f"The post is hidden and {closed} flag(s) closed.")
    else:
        messages.success(request, f"{closed} flag(s) dismissed.")
    return redirect("forum:flags")
