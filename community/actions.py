"""Verbs about members: notifications and moderation of accounts."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from community.live import disconnect_member, send_to_member
from community.models import Notification, User


def _unread_count(member_id: int) -> int:
    return Notification.objects.filter(recipient_id=member_id, read_at__isnull=True).count()


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    text: str,
    url: str = "",
    actor: User | None = None,
) -> Notification | None:
    """Create a notification and push it to the recipient's open sockets after commit.

    Nobody is notified about their own doing.
    """
    if actor is not None and actor.pk == recipient.pk:
        return None
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, text=text[:300], url=url[:500]
    )
    send_to_member(
        recipient.pk,
        {
            "type": "notification.new",
            "notification": notification.as_event(),
            "unread": _unread_count(recipient.pk),
        },
    )
    return notification


@transaction.atomic
def mark_notifications_read(*, member: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    changed = qs.update(read_at=timezone.now())
    if changed:
        send_to_member(
            member.pk, {"type": "notification.count", "unread": _unread_count(member.pk)}
        )
    return changed


@transaction.atomic
def suspend_member(*, member: User, moderator: User, until: datetime, reason: str) -> None:
    """Suspend a member: they are signed out everywhere and their sockets close."""
    from community.signals import member_suspended

    member.suspended_until = until
    member.suspension_reason = reason[:300]
    member.save(update_fields=["suspended_until", "suspension_reason"])
    log(instance=member, action="hearth.member.suspend", user=moderator, data={"reason": reason})
    disconnect_member(member.pk, reason="Your account has been suspended.")
    transaction.on_commit(
        lambda: member_suspended.send(
            sender=User, member=member, moderator=moderator, reason=reason
        )
    )


@transaction.atomic
def unsuspend_member(*, member: User, moderator: User) -> None:
    """Lift a suspension and a silence: the member may take part again."""
    member.suspended_until = None
    member.suspension_reason = ""
    member.silenced_until = None
    member.save(update_fields=["suspended_until", "suspension_reason", "silenced_until"])
    log(instance=member, action="hearth.member.unsuspend", user=moderator)


@transaction.atomic
def silence_member(*, member: User, moderator: User, until: datetime, reason: str) -> None:
    """A silenced member can read but not post, reply or chat until ``until``."""
    member.silenced_until = until
    member.save(update_fields=["silenced_until"])
    log(instance=member, action="hearth.member.silence", user=moderator, data={"reason": reason})
