"""Notification levels: how much a member hears of a topic, a category or a tag.

A member's level for a topic is the topic's own choice if there is one, else their
category's, else the loudest of its tags' (watching > tracking > normal > muted), else
normal. Watching: every new post (and, set on a category or tag, every new topic)
notifies them. Tracking: lists show how many posts they have not read. Normal: mentions
and answers notify them. Muted: nothing from the topic notifies them and it stays out of
their topic lists.

:func:`level_expression` is the same rule in SQL, for topic lists (one SELECT);
:func:`levels_for` answers it for everyone who chose anything, for notifications.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Subquery, Value, When

from community.models import User

from ..models import (
    LEVEL_RANK,
    Category,
    CategoryUser,
    NotificationLevel,
    TagUser,
    Topic,
    TopicTag,
    TopicUser,
)
from .rules import PostingError

LOUDEST_FIRST = sorted(NotificationLevel, key=LEVEL_RANK.__getitem__, reverse=True)


def checked_level(level: str) -> NotificationLevel:
    if level not in NotificationLevel.values:
        raise PostingError(
            "Choose watching, tracking, normal or muted; nothing changed.", code="level"
        )
    return NotificationLevel(level)


@transaction.atomic
def set_topic_level(*, topic: Topic, member: User, level: str) -> TopicUser:
    level = checked_level(level)
    state, _ = TopicUser.objects.get_or_create(member=member, topic=topic)
    state.level = level
    state.watching = level == NotificationLevel.WATCHING
    state.save(update_fields=["level", "watching"])
    return state


@transaction.atomic
def set_category_level(*, category: Category, member: User, level: str) -> CategoryUser:
    level = checked_level(level)
    state, _ = CategoryUser.objects.update_or_create(
        member=member, category=category, defaults={"level": level}
    )
    return state


@transaction.atomic
def set_tag_level(*, tag: TopicTag, member: User, level: str) -> TagUser:
    level = checked_level(level)
    state, _ = TagUser.objects.update_or_create(member=member, tag=tag, defaults={"level": level})
    return state


def category_level(*, category: Category, member: Any) -> NotificationLevel:
    """What the member chose for the category (normal if nothing)."""
    found = CategoryUser.objects.filter(category=category, member=member).values_list(
        "level", flat=True
    )
    return NotificationLevel(found.first() or NotificationLevel.NORMAL)


def tag_level(*, tag: TopicTag, member: Any) -> NotificationLevel:
    found = TagUser.objects.filter(tag=tag, member=member).values_list("level", flat=True)
    return NotificationLevel(found.first() or NotificationLevel.NORMAL)


def effective_level(*, topic: Topic, member: Any) -> NotificationLevel:
    """The member's level for the topic (one query)."""
    level = (
        Topic.objects.filter(pk=topic.pk)
        .annotate(level=level_expression(member))
        .values_list("level", flat=True)
        .first()
    )
    return NotificationLevel(level or NotificationLevel.NORMAL)


def level_expression(member: Any, *, category_mutes: bool = True, tags_mute: bool = True) -> Case:
    """The member's level for each topic of a Topic queryset, as a SQL expression.

    A list of one category (or one tag) shows the topics the member muted by muting that
    very category (tag): they asked for it. ``category_mutes`` / ``tags_mute`` False count
    such a mute as normal."""
    own = TopicUser.objects.filter(topic=OuterRef("pk"), member=member).exclude(level="")
    category = CategoryUser.objects.filter(category=OuterRef("category_id"), member=member)
    tags = TagUser.objects.filter(member=member, tag__tagged_topics__content_object=OuterRef("pk"))
    category_level = Subquery(category.values("level")[:1])
    whens = [
        When(Exists(own), then=Subquery(own.values("level")[:1])),
        When(
            Exists(category),
            then=category_level
            if category_mutes
            else Case(
                When(Exists(category.filter(level=NotificationLevel.MUTED)), then=Value("normal")),
                default=category_level,
            ),
        ),
    ]
    for level in LOUDEST_FIRST:
        shown = level if tags_mute or level != NotificationLevel.MUTED else NotificationLevel.NORMAL
        whens.append(When(Exists(tags.filter(level=level)), then=Value(shown.value)))
    return Case(*whens, default=Value(NotificationLevel.NORMAL.value), output_field=CharField())


def levels_for(topic: Topic) -> dict[int, NotificationLevel]:
    """Every member who chose a level for the topic, its category or one of its tags, with
    their level for the topic (three queries; everyone else is normal)."""
    own = dict(
        TopicUser.objects.filter(topic=topic).exclude(level="").values_list("member_id", "level")
    )
    by_category = dict(
        CategoryUser.objects.filter(category_id=topic.category_id).values_list("member_id", "level")
    )
    by_tags: dict[int, str] = {}
    rows = TagUser.objects.filter(tag__tagged_topics__content_object=topic).values_list(
        "member_id", "level"
    )
    for member_id, level in rows:
        known = by_tags.get(member_id)
        if (
            known is None
            or LEVEL_RANK[NotificationLevel(level)] > LEVEL_RANK[NotificationLevel(known)]
        ):
            by_tags[member_id] = level
    levels = {**by_tags, **by_category, **own}
    return {member_id: NotificationLevel(level) for member_id, level in levels.items()}


def members_at(levels: dict[int, NotificationLevel], level: NotificationLevel) -> set[int]:
    return {member_id for member_id, chosen in levels.items() if chosen == level}
