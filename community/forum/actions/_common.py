"""Helpers the forum's verbs share: locking, counters, who is told, and the cross-app
signals (sent after commit through community.live, with what holds the content)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from community.live import send_signal_after_commit
from community.models import User
from community.signals import content_published, content_removed, warm_action, warm_action_undone

from .. import page_cache
from ..models import Category, Post, Topic


def require_moderator(user: User) -> None:
    if not (user.is_authenticated and user.is_moderator):
        raise PermissionDenied(_("Only moderators can do that."))


def lock_post(post: Post) -> Post:
    """Reload a post with its topic and author, locking only the post's row.

    ``of=("self",)``: PostgreSQL cannot lock the nullable side of the outer join to the
    author, and the topic row must stay free for replies.
    """
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("topic", "author")
        .get(pk=post.pk)
    )


def refresh(topic: Topic, *categories: Category) -> None:
    """Recompute the topic's counters and those of its category (and of ``categories``)."""
    topic.refresh_stats()
    for category in {c.pk: c for c in (topic.category, *categories)}.values():
        category.refresh_stats()


def quoted_title(topic: Topic) -> str:
    title = topic.title if len(topic.title) <= 80 else topic.title[:79] + "…"
    return f"“{title}”"


def readers(topic: Topic, members: Iterable[User]) -> list[User]:
    """The active members among ``members`` who may open ``topic``
    (Topic.objects.visible_to). When every signed-in member may, that is one query for
    all of them (the rule only ever shows moderators more than members)."""
    members = [member for member in members if member.is_active]
    if not members or Topic.objects.visible_to_members().filter(pk=topic.pk).exists():
        return members
    return [m for m in members if Topic.objects.visible_to(m).filter(pk=topic.pk).exists()]


def place_of(topic: Topic) -> str:
    """Where a topic and its posts are, for the referral hub ("forum.category:<slug>")."""
    return f"forum.category:{topic.category.slug}"


def _signal_kwargs(obj: Topic | Post) -> dict[str, object]:
    # A post is held by its topic; a topic by nothing the referral hub needs to know.
    if isinstance(obj, Post):
        return {
            "sender": Post,
            "obj": obj,
            "kind": "post",
            "container": obj.topic,
            "place": place_of(obj.topic),
        }
    return {"sender": Topic, "obj": obj, "kind": "topic", "container": None, "place": place_of(obj)}


def publish(obj: Topic | Post) -> None:
    """Tell other apps (after commit) that ``obj`` became visible."""
    send_signal_after_commit(content_published, author=obj.author, **_signal_kwargs(obj))


def withdraw(obj: Topic | Post) -> None:
    """Tell other apps (after commit) that ``obj`` was hidden or deleted."""
    send_signal_after_commit(content_removed, author=obj.author, **_signal_kwargs(obj))


# --- warm actions (community.signals.warm_action; the referral hub decides what counts) ---


def _post_key(post: Post) -> str:
    return f"forum.post:{post.pk}"


def solution_marked(post: Post, *, by: User) -> None:
    """``post``'s author is recognised for the answer; ``by`` (who marked it) is the
    actor, so marking one's own reply earns nothing."""
    if post.author is None:
        return
    send_signal_after_commit(
        warm_action,
        sender=Post,
        member=post.author,
        action="solution",
        key=_post_key(post),
        reason=f"Your reply in {quoted_title(post.topic)} was marked as the solution",
        actor=by,
        place=place_of(post.topic),
    )


def solution_unmarked(post: Post, *, reason: str) -> None:
    send_signal_after_commit(
        warm_action_undone,
        sender=Post,
        member=post.author,
        action="solution",
        key=_post_key(post),
        reason=reason,
    )


def _first_post_key(member: User) -> str:
    return f"member:{member.pk}"


def first_post_published(post: Post) -> None:
    """Recognise a member's first forum post ever (once: later posts see this one)."""
    author = post.author
    if author is None or Post.objects.filter(author=author).exclude(pk=post.pk).exists():
        return
    send_signal_after_commit(
        warm_action,
        sender=Post,
        member=author,
        action="first_post",
        key=_first_post_key(author),
        reason=f"Your first forum post, in {quoted_title(post.topic)}",
        actor=None,
        place=place_of(post.topic),
    )


def post_withdrawn(post: Post, *, reason: str) -> None:
    """A hidden or deleted post takes back its solution mark and, when it was its
    author's first post, the first post's recognition."""
    topic = post.topic
    if topic.solution_id == post.pk:
        Topic.objects.filter(pk=topic.pk).update(solution=None)
        page_cache.bump(topic.pk)
        topic.solution = None
        solution_unmarked(post, reason=reason)
    author = post.author
    if author is not None and not Post.objects.filter(author=author, pk__lt=post.pk).exists():
        send_signal_after_commit(
            warm_action_undone,
            sender=Post,
            member=author,
            action="first_post",
            key=_first_post_key(author),
            reason=reason,
        )


def after_post_hidden(post: Post) -> None:
    """A post left the readers' view: it is no longer the answer, the counters follow, and
    other apps hear of it (unless its topic was out of view already)."""
    topic = post.topic
    post_withdrawn(post, reason=f"Your post in {quoted_title(topic)} was hidden")
    refresh(topic)
    if topic.is_visible:
        withdraw(post)
