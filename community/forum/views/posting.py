"""Starting topics, replying, editing and deleting posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.models import User
from hearth.http import AuthenticatedHttpRequest
from hearth.params import int_param, parse_int
from hearth.rules import RuleError, add_to_form, flash

from .. import actions
from ..forms import EditPostForm, ReplyForm, TopicForm
from ..models import Post, Topic
from ._access import after, reachable_post, visible_post, visible_topic


def _posted(
    request: HttpRequest,
) -> tuple[QueryDict | None, MultiValueDict[str, UploadedFile] | None]:
    """A form's data and files when the request sends them (a POST), else none (the
    form is unbound)."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


@require_http_methods(["GET", "POST"])
@login_required
def new_topic(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial = {"category": request.GET.get("category")}
    draft = actions.draft_for(request.user, actions.NEW_TOPIC)
    if draft is not None:
        initial |= {"title": draft.title, "body": draft.body}
    form = TopicForm(*_posted(request), initial=initial, member=request.user)
    if not form.categories.exists():
        raise PermissionDenied(_("There is no category you can start a topic in."))
    if form.is_valid():
        try:
            topic = actions.start_topic(
                category=form.cleaned_data["category"],
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                tags=form.tag_names(),
                images=form.attachments(),
                language=form.cleaned_data.get("language") or "",
            )
        except RuleError as error:
            add_to_form(form, error)
        else:
            actions.discard_draft(member=request.user, key=actions.NEW_TOPIC)
            if not _told_if_held(request, topic):
                messages.success(request, _("Your topic is up."))
            return redirect(topic)
    context = {"form": form, "draft": {"key": actions.NEW_TOPIC, "body": ""}}
    return render(request, "forum/new_topic.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    topic = visible_topic(request, pk)
    form = ReplyForm(*_posted(request), initial=_quoted(request, topic), member=request.user)
    if form.is_valid():
        try:
            post = actions.reply(
                topic=topic,
                author=request.user,
                body=form.cleaned_data["body"],
                images=form.attachments(),
                reply_to=_answered(request, topic, form.cleaned_data["reply_to"]),
            )
        except RuleError as error:
            add_to_form(form, error)
        else:
            actions.discard_draft(member=request.user, key=actions.reply_key(topic))
            if not _told_if_held(request, post):
                messages.success(request, _("Your reply is posted."))
            return redirect(after(post))
    answering = _answered(request, topic, form["reply_to"].value())
    context = {
        "topic": topic,
        "form": form,
        "may_reply": topic.may_reply(request.user),
        "answering": answering,
        "draft": {"key": actions.reply_key(topic), "body": _draft_body(request, topic, form)},
    }
    return render(request, "forum/reply.html", context)


def _draft_body(request: AuthenticatedHttpRequest, topic: Topic, form: ReplyForm) -> str:
    """What they were writing here, for forum.js to put back (not over a quote)."""
    if form.is_bound or form.initial.get("body"):
        return ""
    draft = actions.draft_for(request.user, actions.reply_key(topic))
    return draft.body if draft is not None else ""


def _answered(request: HttpRequest, topic: Topic, raw: object) -> Post | None:
    """The post of ``topic`` a reply answers, if the reader may read it."""
    try:
        pk = parse_int(str(raw or ""), minimum=1)
    except ValueError:
        return None
    posts = Post.objects.visible_to(request.user).select_related("author")
    return posts.filter(pk=pk, topic=topic).first()


def _told_if_held(request: HttpRequest, post: Post | Topic) -> bool:
    """Tell the author their post (or new topic) waits for a moderator
    (community.forum.spam), and why."""
    if post.held_at is None:
        return False
    messages.warning(
        request,
        _(
            "Your post is waiting for a moderator because %(reason)s. "
            "Only you and the moderators can see it until then."
        )
        % {"reason": post.held_reason},
    )
    return True


def _quoted(request: HttpRequest, topic: Topic) -> dict[str, str]:
    """``?quote=<post id>`` fills the reply box with that post, quoted; ``?to=<post id>``
    makes the reply answer that post."""
    if request.method != "GET":
        return {}
    answering = int_param(request, "to")
    initial = {"reply_to": str(answering)} if answering is not None else {}
    quoted = int_param(request, "quote")
    if quoted is None:
        return initial
    post = visible_post(request, quoted)
    return initial | ({"body": post.as_quote()} if post.topic_id == topic.pk else {})


@require_http_methods(["GET", "POST"])
@login_required
def edit_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = visible_post(request, pk)
    if not post.may_edit(request.user):
        raise PermissionDenied(
            _("You can edit your own post for 24 hours after posting; ask a moderator now.")
        )
    initial = _as_it_is(post) if request.method == "GET" else None
    form = EditPostForm(
        *_posted(request), initial=initial, member=request.user, opening=post.is_opening
    )
    if form.is_valid() and _save_edit(post, request.user, form):
        messages.success(request, _("Your changes are saved."))
        return redirect(after(post))
    context = {"form": form, "post": post, "topic": post.topic}
    return render(request, "forum/edit_post.html", context)


def _save_edit(post: Post, editor: User, form: EditPostForm) -> bool:
    """Save what the valid form carries (an opening post also retitles and retags its
    topic); False with the refusal on the form."""
    try:
        actions.edit_post(
            post=post,
            editor=editor,
            body=form.cleaned_data["body"],
            title=form.cleaned_data.get("title") if post.is_opening else None,
            tags=form.tag_names() if post.is_opening else None,
        )
    except RuleError as error:
        add_to_form(form, error)
        return False
    return True


def _as_it_is(post: Post) -> dict[str, object]:
    """The edit form's starting values: the post (and for an opening post, the topic)."""
    initial: dict[str, object] = {"body": post.source}
    if post.is_opening:
        initial["title"] = post.topic.title
        initial["tags"] = [tag.name for tag in post.topic.tags.all()]
    return initial


@require_http_methods(["GET", "POST"])
@login_required
def delete_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = reachable_post(request, pk)
    if not post.may_delete(request.user):
        raise PermissionDenied(_("Only the author or a moderator can delete this post."))
    if request.method == "GET":
        return render(request, "forum/delete_post.html", {"post": post, "topic": post.topic})
    try:
        actions.delete_post(post=post, member=request.user)
    except RuleError as error:
        flash(request, error)
        return redirect(after(post))
    if post.is_opening:
        messages.success(request, _("The topic is deleted."))
        return redirect(post.topic.category)
    messages.success(request, _("The post is deleted."))
    return redirect(after(post))
