"""The bell: create a member's notification and push it, mark notifications read.

Every app rings the bell through :func:`notify`. It lives below ``community.actions``
(which re-exports it) so that ``community.moderation.actions`` can ring it without
importing the member verbs that themselves record penalties through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from community.chat.models import ChatMessage
from community.live import send_to_member
from community.models import Block, Notification, User
from hearth.commit import after_commit
from hearth.i18n import for_member

CHAT_MESSAGE = "chat.chatmessage"
_MESSAGE_ANCHOR = re.compile(r"#message-(\d+)$")


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    text: str | Callable[[], str],
    url: str = "",
    actor: User | None = None,
    target: models.Model | None = None,
) -> Notification | None:
    """Create a notification and push it to the recipient's open sockets after commit.

    Nobody is notified about their own doing, nor by a member they blocked (None then:
    callers that also email check it). The page reads the words again later
    (:func:`with_current_text`): the actor's name as it is then, and a chat message
    (``target``, or the message a chat mention's url points to) as edited since.

    ``text`` may be a function that says it in the active language: it is called in the
    recipient's (:func:`hearth.i18n.for_member`), since the words are kept as written.
    """
    if actor is not None and actor.pk == recipient.pk:
        return None
    # A member who blocked the actor hears nothing from them: mentions, replies, nothing.
    if actor is not None and Block.exists_between(blocker_id=recipient.pk, blocked_id=actor.pk):
        return None
    if callable(text):
        with for_member(recipient):
            text = text()
    text = text[:300]
    target_type, target_id = "", None
    if target is not None:
        target_type, target_id = target._meta.label_lower, target.pk
    elif kind == "chat_mention":
        target_id = _message_id(url)
        target_type = CHAT_MESSAGE if target_id is not None else ""
    notification = Notification.objects.create(
        recipient=recipient,
        actor=actor,
        actor_name=actor.name if actor is not None and actor.name in text else "",
        kind=kind,
        text=text,
        url=url[:500],
        target_type=target_type,
        target_id=target_id,
    )
    send_to_member(
        recipient.pk,
        {
            "type": "notification.new",
            "notification": notification.as_event(),
            "unread": Notification.objects.unread_count(recipient.pk),
        },
    )
    return notification


# --- The count on the bell of every page ------------------------------------------------

# The header of every member's page shows the bell's count; it is kept in the cache and
# forgotten whenever one of the member's notifications is created, read or deleted. The
# bell's socket sends the count from the database as soon as it connects, so a page
# rendered in the instant between a change and its commit is put right at once.
BELL_SECONDS = 300


def _bell_key(member_id: int) -> str:
    return f"notifications:bell:{member_id}"


def bell_count(member_id: int) -> int:
    """The unread count for a page's bell, from the cache when it is there."""
    key = _bell_key(member_id)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.unread_count(member_id)
        cache.set(key, count, BELL_SECONDS)
    return count


def forget_bell(member_id: int) -> None:
    """The member's count changed: now, and again once the transaction commits."""
    cache.delete(_bell_key(member_id))
    after_commit(lambda: cache.delete(_bell_key(member_id)), what="forgetting a bell count")


def _on_notification_change(sender: type, instance: Notification, **kwargs: object) -> None:
    forget_bell(instance.recipient_id)


def connect() -> None:
    post_save.connect(_on_notification_change, sender=Notification, dispatch_uid="bell-saved")
    post_delete.connect(_on_notification_change, sender=Notification, dispatch_uid="bell-gone")


@transaction.atomic
def mark_notifications_read(*, member: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.unread().filter(recipient=member)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    changed = qs.update(read_at=timezone.now())
    if changed:
        forget_bell(member.pk)  # a bulk update sends no signal
        send_to_member(
            member.pk,
            {"type": "notification.count", "unread": Notification.objects.unread_count(member.pk)},
        )
    return changed


# --- Reading them: the words as they are now ---------------------------------------------


def _message_id(url: str) -> int | None:
    match = _MESSAGE_ANCHOR.search(url)
    return int(match.group(1)) if match else None


def _chat_message_id(notification: Notification) -> int | None:
    if notification.target_type == CHAT_MESSAGE:
        return notification.target_id
    if notification.kind == "chat_mention":  # written before targets were kept
        return _message_id(notification.url)
    return None


def _with_current_name(notification: Notification) -> str:
    actor, old = notification.actor, notification.actor_name
    if actor is None or not old or actor.name == old:
        return notification.text
    # Whole names only: "Al" must not change the "Al" inside "Alice".
    pattern = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)")
    return pattern.sub(lambda _: actor.name, notification.text)


def with_current_text(notifications: Iterable[Notification]) -> list[Notification]:
    """``notifications`` (their actors selected) with ``shown_text``: what the page says.

    Names are the actors' names now; a chat mention quotes the message as it is now, or
    says it was deleted. One query for all the chat messages, however many there are.
    """
    notifications = list(notifications)
    message_ids = {i for n in notifications if (i := _chat_message_id(n)) is not None}
    messages = (
        ChatMessage.objects.select_related("room").in_bulk(message_ids) if message_ids else {}
    )
    for n in notifications:
        n.shown_text = _with_current_name(n)
        message_id = _chat_message_id(n)
        if message_id is None:
            continue
        who = n.actor.name if n.actor is not None else _("A former member")
        message = messages.get(message_id)
        if message is None or message.is_deleted:
            n.shown_text = _(
                "%(name)s mentioned you in a chat message that has since been deleted."
            ) % {"name": who}
        else:
            n.shown_text = _("%(name)s mentioned you in %(room)s: %(text)s") % {
                "name": who,
                "room": message.room.name,
                "text": message.body[:120],
            }
    return notifications
