"""A member's relation to a topic: how far they have read and whether they watch it."""

from __future__ import annotations

from community.models import User

from ..models import NotificationLevel, Topic, TopicUser
from .levels import set_topic_level


def set_watching(*, topic: Topic, member: User, watching: bool) -> None:
    """Watch a topic, or stop (its level becomes normal): actions.set_topic_level."""
    level = NotificationLevel.WATCHING if watching else NotificationLevel.NORMAL
    set_topic_level(topic=topic, member=member, level=level)


def record_read(*, topic: Topic, member: User, last_read: int | None, up_to: int) -> None:
    """Move a member's read position forward to ``up_to`` (one query; never backwards).

    ``last_read`` is the position the caller already loaded (None: no row yet).
    """
    if last_read is not None and last_read >= up_to:
        return
    TopicUser.objects.bulk_create(
        [TopicUser(member=member, topic=topic, last_read_number=up_to)],
        update_conflicts=True,
        unique_fields=["member", "topic"],
        update_fields=["last_read_number"],
    )
