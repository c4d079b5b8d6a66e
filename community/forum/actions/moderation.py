"""Moderators pin, lock, hide and move; each is written to Wagtail's audit log.

A post a moderator hides with a reason is also a penalty of its author ("hidden post",
scope ``forum.post:<id>``, community.moderation): the author is told through its notice
(bell and email, with the Appeal link), and lifting it there restores the post through
:func:`enforce_hidden_post`. Restoring it here closes the penalty as lifted.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from community.actions import notify
from community.models import User
from community.moderation.actions import record_lift, record_penalty, register_enforcer
from community.moderation.models import NO_END, CannedReason, Penalty

from ..models import Category, Post, Topic
from ._common import (
    after_post_hidden,
    lock_post,
    publish,
    quoted_title,
    refresh,
    require_moderator,
    withdraw,
)
from .rules import checked_reason

# A topic's on/off switches and the audit-log actions for turning each on and off.
_SWITCHES = {
    "pinned": ("hearth.forum.pin", "hearth.forum.unpin"),
    "locked": ("hearth.forum.lock", "hearth.forum.unlock"),
}


def _switch(*, topic: Topic, moderator: User, field: str, on: bool) -> None:
    require_moderator(moderator)
    if getattr(topic, field) == on:
        return
    setattr(topic, field, on)
    topic.save(update_fields=[field])
    turned_on, turned_off = _SWITCHES[field]
    log(instance=topic, action=turned_on if on else turned_off, user=moderator)


@transaction.atomic
def set_pinned(*, topic: Topic, moderator: User, pinned: bool) -> None:
    _switch(topic=topic, moderator=moderator, field="pinned", on=pinned)


@transaction.atomic
def set_locked(*, topic: Topic, moderator: User, locked: bool) -> None:
    _switch(topic=topic, moderator=moderator, field="locked", on=locked)


@transaction.atomic
def hide_topic(*, topic: Topic, moderator: User, reason: str) -> None:
    require_moderator(moderator)
    reason = checked_reason(reason)
    if topic.hidden:
        return
    topic.hide(by=moderator, reason=reason)
    refresh(topic)
    log(instance=topic, action="hearth.forum.hide_topic", user=moderator, data={"reason": reason})
    if topic.deleted_at is None:
        withdraw(topic)
        _tell_author(
            topic.author,
            text=lambda: (
                _("A moderator hid your topic %(topic)s: %(reason)s")
                % {"topic": quoted_title(topic), "reason": reason}
            ),
            url=topic.get_absolute_url(),
            moderator=moderator,
        )


@transaction.atomic
def unhide_topic(*, topic: Topic, moderator: User) -> None:
    require_moderator(moderator)
    if not topic.hidden:
        return
    topic.unhide()
    refresh(topic)
    log(instance=topic, action="hearth.forum.unhide_topic", user=moderator)
    if topic.deleted_at is None:
        publish(topic)


def post_scope(post: Post) -> str:
    return f"forum.post:{post.pk}"


def record_hidden_post(
    post: Post, *, moderator: User, reason: str, canned_reason: CannedReason | None = None
) -> None:
    """The author's appealable record of a moderator hiding ``post`` (the post's notice:
    which post, why, and the Appeal link)."""
    if post.author is None or post.author_id == moderator.pk:
        return
    running = Penalty.objects.active().filter(
        member=post.author, kind=Penalty.Kind.HIDDEN_POST, scope=post_scope(post)
    )
    if running.exists():
        return  # hidden already (its notice sent, its appeal perhaps pending): one record
    record_penalty(
        member=post.author,
        kind=Penalty.Kind.HIDDEN_POST,
        moderator=moderator,
        ends_at=NO_END,
        reason=reason,
        canned_reason=canned_reason,
        scope=post_scope(post),
        scope_label=_("in %(topic)s") % {"topic": quoted_title(post.topic)},
        scope_url=post.topic.post_url(post.number),
    )


def close_hidden_post(post: Post, *, moderator: User, reason: str) -> None:
    """The post is visible again by other means: its penalty ends as lifted (a pending
    appeal with it), so nothing acts on it twice."""
    if post.author is not None:
        record_lift(
            member=post.author,
            kinds=[Penalty.Kind.HIDDEN_POST],
            moderator=moderator,
            reason=reason,
            scope=post_scope(post),
        )


@transaction.atomic
def hide_post(
    *, post: Post, moderator: User, reason: str, canned_reason: CannedReason | None = None
) -> None:
    require_moderator(moderator)
    reason = checked_reason(reason)
    post = lock_post(post)
    if post.hidden and not post.hidden_by_flags:
        return
    was_hidden = post.hidden  # by flags: the moderator's reason replaces theirs
    post.hide(by=moderator, reason=reason)
    log(
        instance=post,
        action="hearth.forum.hide_post",
        user=moderator,
        data={"topic": post.topic_id, "number": post.number, "reason": reason},
    )
    if not was_hidden:
        after_post_hidden(post)
    # The author is told by the penalty's notice, which carries the Appeal link.
    record_hidden_post(post, moderator=moderator, reason=reason, canned_reason=canned_reason)


@transaction.atomic
def unhide_post(*, post: Post, moderator: User, reason: str = "") -> None:
    """Restore a hidden post. ``reason`` (an appeal's outcome) goes to the audit log."""
    require_moderator(moderator)
    post = lock_post(post)
    if not post.hidden:
        return
    post.unhide()
    refresh(post.topic)
    data: dict[str, object] = {"topic": post.topic_id, "number": post.number}
    if reason:
        data["reason"] = reason[:300]
    log(instance=post, action="hearth.forum.unhide_post", user=moderator, data=data)
    # Still held by a spam signal: approving it publishes it, not this.
    if post.is_visible and post.topic.is_visible:
        publish(post)
    close_hidden_post(post, moderator=moderator, reason="The post was restored.")


def enforce_hidden_post(member: User, scope: str) -> None:
    """The enforcer of "hidden post" penalties (registered in ForumConfig.ready): once none
    runs for the post any more (an appeal lifted it), the post is restored by the
    moderator who lifted it, through :func:`unhide_post` and its audit entry."""
    penalties = Penalty.objects.filter(member=member, kind=Penalty.Kind.HIDDEN_POST, scope=scope)
    if penalties.active().exists():
        return
    lifted = (
        penalties.filter(lifted_at__isnull=False, lifted_by__isnull=False)
        .select_related("lifted_by")
        .order_by("-lifted_at")
        .first()
    )
    post = Post.objects.filter(pk=int(scope.removeprefix("forum.post:"))).first()
    if lifted is None or lifted.lifted_by is None or post is None:
        return
    unhide_post(post=post, moderator=lifted.lifted_by, reason=lifted.lift_reason)


def register_penalty_enforcer() -> None:
    register_enforcer(Penalty.Kind.HIDDEN_POST, enforce_hidden_post)


@transaction.atomic
def move_topic(*, topic: Topic, moderator: User, category: Category) -> None:
    require_moderator(moderator)
    if topic.category_id == category.pk:
        return
    old = topic.category
    topic.category = category
    topic.save(update_fields=["category"])
    refresh(topic, old)
    log(
        instance=topic,
        action="hearth.forum.move",
        user=moderator,
        data={
            "from": old.slug,
            "to": category.slug,
            "from_name": old.name,
            "to_name": category.name,
        },
    )


def _tell_author(
    author: User | None, *, text: str | Callable[[], str], url: str, moderator: User
) -> None:
    if author is not None:
        notify(recipient=author, kind="forum_hidden", text=text, url=url, actor=moderator)
