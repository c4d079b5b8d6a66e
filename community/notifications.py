"""The bell: create a member's notification and push it, mark notifications read.

Every app rings the bell through :func:`notify`. It lives below ``community.actions``
(which re-exports it) so that ``community.moderation.actions`` can ring it without
importing the member verbs that themselves record penalties through it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from community.live import send_to_member
from community.models import Notification, User


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
            "unread": Notification.objects.unread_count(recipient.pk),
        },
    )
    return notification


@transaction.atomic
def mark_notifications_read(*, member: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.unread().filter(recipient=member)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    changed = qs.update(read_at=timezone.now())
    if changed:
        send_to_member(
            member.pk,
            {"type": "notification.count", "unread": Notification.objects.unread_count(member.pk)},
        )
    return changed
