"""Moderators pin, lock, hide and move; each is written to Wagtail's audit log."""

from __future__ import annotations

from django.db import transaction
from wagtail.log_actions import log

from community.actions import notify
from community.models import User

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
            text=f"A moderator hid your topic {quoted_title(topic)}: {reason}",
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


@transaction.atomic
def hide_post(*, post: Post, moderator: User, reason: str) -> None:
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
        _tell_author(
            post.author,
            text=f"A moderator hid your post in {quoted_title(post.topic)}: {reason}",
            url=post.topic.post_url(post.number),
            moderator=moderator,
        )


@transaction.atomic
def unhide_post(*, post: Post, moderator: User) -> None:
    require_moderator(moderator)
    post = lock_post(post)
    if not post.hidden:
        return
    post.unhide()
    refresh(post.topic)
    log(
        instance=post,
        action="hearth.forum.unhide_post",
        user=moderator,
        data={"topic": post.topic_id, "number": post.number},
    )
    if post.deleted_at is None and post.topic.is_visible:
        publish(post)


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


def _tell_author(author: User | None, *, text: str, url: str, moderator: User) -> None:
    if author is not None:
        notify(recipient=author, kind="forum_hidden", text=text, url=url, actor=moderator)
