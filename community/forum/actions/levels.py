"""Notification levels: how much a member hears of a topic, a category or a tag.

A member's level for a topic is the topic's own choice if there is one, else their
category's, else the loudest of its tags' (watching > tracking > normal > muted), else
normal (:func:`resolve`). Watching: every new post (and, set on a category or tag, every
new topic) notifies them. Tracking: lists show how many posts they have not read.
Normal: mentions and answers notify them. Muted: nothing from the topic notifies them
and it stays out of their topic lists.

Pages read a member's category and tag choices once per request (:func:`member_levels`:
they are few and most members have none, so they are kept in the cache, read again
when the member signs in or changes one) and put only the topic's own choice in SQL:
a muted category is ``category_id NOT IN (...)``, a muted tag an EXISTS only for a
member who muted tags (:func:`muted_condition`). :func:`levels_for` answers the rule for
everyone who chose anything about one topic, for notifications.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from community.models import User
from hearth.commit import after_commit

from ..models import (
    LEVEL_RANK,
    Category,
    CategoryUser,
    NotificationLevel,
    TaggedTopic,
    TagUser,
    Topic,
    TopicTag,
    TopicUser,
)
from .rules import PostingError

WATCHING, TRACKING, NORMAL, MUTED = (
    NotificationLevel.WATCHING,
    NotificationLevel.TRACKING,
    NotificationLevel.NORMAL,
    NotificationLevel.MUTED,
)
# The levels that put a topic in Unread and show its unread count.
FOLLOWED = (WATCHING, TRACKING)
# A day in a shared cache (Redis); a minute in one process's memory, which another web
# process's change cannot reach.
KEPT_FOR = 24 * 3600
KEPT_FOR_IN_PROCESS = 60


def checked_level(level: str) -> NotificationLevel:
    if level not in NotificationLevel.values:
        raise PostingError(
            _("Choose watching, tracking, normal or muted; nothing changed."), code="level"
        )
    return NotificationLevel(level)


def resolve(
    own: str | None, category: str | None = None, tags: Iterable[str | None] = ()
) -> NotificationLevel:
    """The rule: the topic's own choice, else the category's, else the loudest tag's."""
    if own:
        return NotificationLevel(own)
    if category:
        return NotificationLevel(category)
    chosen = [NotificationLevel(level) for level in tags if level]
    return max(chosen, key=LEVEL_RANK.__getitem__, default=NORMAL)


# --- a member's choices, once per request ---------------------------------------------


@dataclass(frozen=True)
class MemberLevels:
    """A member's category and tag choices (id → level) and whether they muted a topic."""

    categories: Mapping[int, str] = field(default_factory=dict)
    tags: Mapping[int, str] = field(default_factory=dict)
    muted_topics: bool = False

    def category_ids(self, *levels: str) -> list[int]:
        return sorted(pk for pk, level in self.categories.items() if not levels or level in levels)

    def tag_ids(self, *levels: str) -> list[int]:
        return sorted(pk for pk, level in self.tags.items() if not levels or level in levels)

    def level_for(
        self, topic: Topic, own: str | None, *, tags: Iterable[TopicTag] | None = None
    ) -> NotificationLevel:
        """The member's level for a topic, given its own choice (no query: its tags are
        ``tags`` or prefetched, and only looked at when the member chose a tag's level)."""
        if own or not (self.categories or self.tags):
            return NotificationLevel(own or NORMAL)
        chosen = []
        if self.tags:
            chosen = [self.tags.get(tag.pk) for tag in (topic.tags.all() if tags is None else tags)]
        return resolve(own, self.categories.get(topic.category_id), chosen)


NO_LEVELS = MemberLevels()


def _key(member_id: int) -> str:
    return f"forum:levels:{member_id}"


def _kept_for() -> int:
    return KEPT_FOR_IN_PROCESS if isinstance(caches["default"], LocMemCache) else KEPT_FOR


def _read(member_id: int) -> MemberLevels:
    """The member's choices from the database (one query) into the cache."""
    rows = (
        CategoryUser.objects.filter(member_id=member_id)
        .values_list(Value("c"), "category_id", "level")
        .union(
            TagUser.objects.filter(member_id=member_id).values_list(Value("t"), "tag_id", "level"),
            TopicUser.objects.filter(member_id=member_id, level=MUTED).values_list(
                Value("m"), "topic_id", "level"
            ),
            all=True,
        )
    )
    by_kind: dict[str, dict[int, str]] = {"c": {}, "t": {}, "m": {}}
    for kind, pk, level in rows:
        by_kind[kind][pk] = level
    found = MemberLevels(
        categories=by_kind["c"], tags=by_kind["t"], muted_topics=bool(by_kind["m"])
    )
    cache.set(_key(member_id), found, _kept_for())
    return found


def member_levels(member: Any) -> MemberLevels:
    """The member's category and tag choices: from the cache (no query), else one query.
    Nobody's for a visitor."""
    if not getattr(member, "is_authenticated", False):
        return NO_LEVELS
    found = cache.get(_key(member.pk))
    return found if isinstance(found, MemberLevels) else _read(member.pk)


def _choices_changed(member: User) -> None:
    """Forget the kept choices now, and read them again once the change commits."""
    cache.delete(_key(member.pk))
    after_commit(lambda: _read(member.pk), what=f"reading the forum levels of {member.pk}")


def _read_on_sign_in(sender: Any, user: Any, **kwargs: Any) -> None:
    # A member's first page after signing in finds their choices kept.
    if user is not None and user.pk is not None:
        _read(user.pk)


def connect() -> None:
    user_logged_in.connect(_read_on_sign_in, dispatch_uid="forum-levels-on-sign-in")


# --- choosing ---------------------------------------------------------------------------


@transaction.atomic
def set_topic_level(*, topic: Topic, member: User, level: str) -> TopicUser:
    level = checked_level(level)
    state, _ = TopicUser.objects.get_or_create(member=member, topic=topic)
    was = state.level
    state.level = level
    state.watching = level == WATCHING
    state.save(update_fields=["level", "watching"])
    if MUTED in (was, level):
        _choices_changed(member)
    return state


@transaction.atomic
def set_category_level(*, category: Category, member: User, level: str) -> CategoryUser:
    level = checked_level(level)
    state, _ = CategoryUser.objects.update_or_create(
        member=member, category=category, defaults={"level": level}
    )
    _choices_changed(member)
    return state


@transaction.atomic
def set_tag_level(*, tag: TopicTag, member: User, level: str) -> TagUser:
    level = checked_level(level)
    state, _ = TagUser.objects.update_or_create(member=member, tag=tag, defaults={"level": level})
    _choices_changed(member)
    return state


def category_level(*, category: Category, member: Any) -> NotificationLevel:
    """What the member chose for the category (normal if nothing)."""
    return NotificationLevel(member_levels(member).categories.get(category.pk) or NORMAL)


def tag_level(*, tag: TopicTag, member: Any) -> NotificationLevel:
    return NotificationLevel(member_levels(member).tags.get(tag.pk) or NORMAL)


def topic_choice(*, topic: Topic, member: Any) -> str:
    """The topic's own choice ("" if none)."""
    found = TopicUser.objects.filter(topic=topic, member=member).values_list("level", flat=True)
    return found.first() or ""


def effective_level(*, topic: Topic, member: Any) -> NotificationLevel:
    """The member's level for the topic (its own choice, else the category's or a tag's)."""
    levels = member_levels(member)
    tag_ids = topic.tagged_items.values_list("tag_id", flat=True) if levels.tags else []
    return resolve(
        topic_choice(topic=topic, member=member),
        levels.categories.get(topic.category_id),
        [levels.tags.get(pk) for pk in tag_ids],
    )


# --- the rule in a list's SELECT ----------------------------------------------------------

# The topic's own level in a list's conditions ("" for none: :func:`own_level`).
OWN_OR_NONE = "my_level_or_none"
_OWN_CHOICE = Q(**{f"{OWN_OR_NONE}__in": NotificationLevel.values})


_Topics = TypeVar("_Topics", bound=QuerySet[Topic])


def own_level(member: Any) -> Coalesce:
    """The member's own choice for each topic of a queryset ("" for none)."""
    own = TopicUser.objects.filter(topic=OuterRef("pk"), member=member).values("level")[:1]
    return Coalesce(Subquery(own), Value(""))


def without_muted(
    topics: _Topics,
    member: Any,
    levels: MemberLevels | None = None,
    *,
    category_mutes: bool = True,
    tags_mute: bool = True,
) -> _Topics:
    """The topics without those the member muted (:func:`muted_condition`), in the same
    SELECT; unchanged for a member who muted nothing, and for a visitor."""
    if not getattr(member, "is_authenticated", False):
        return topics
    levels = member_levels(member) if levels is None else levels
    muted = muted_condition(levels, category_mutes=category_mutes, tags_mute=tags_mute)
    if muted is None:
        return topics
    # NULL (no row) reads as "" in the conditions.
    return topics.alias(**{OWN_OR_NONE: own_level(member)}).exclude(muted)


def _tagged(tag_ids: list[int]) -> Exists:
    return Exists(TaggedTopic.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids))


def muted_condition(
    levels: MemberLevels, *, category_mutes: bool = True, tags_mute: bool = True
) -> Q | None:
    """The topics the member muted, or None when they muted nothing: a condition on the
    queryset's ``my_level_or_none`` (:func:`without_muted`). A category's (tag's) own list
    passes ``category_mutes`` (``tags_mute``) False: it shows what muting that category
    (tag) hid, since the member asked for it."""
    parts: list[Q] = []
    if levels.muted_topics:
        parts.append(Q(**{OWN_OR_NONE: MUTED}))
    muted_categories = levels.category_ids(MUTED) if category_mutes else []
    if muted_categories:
        parts.append(Q(category_id__in=muted_categories) & ~_OWN_CHOICE)
    muted_tags = levels.tag_ids(MUTED) if tags_mute else []
    if muted_tags:
        by_tags = Q(_tagged(muted_tags)) & ~_OWN_CHOICE
        louder = levels.tag_ids(WATCHING, TRACKING, NORMAL)
        if louder:
            by_tags &= ~Q(_tagged(louder))
        if levels.categories:
            by_tags &= ~Q(category_id__in=levels.category_ids())
        parts.append(by_tags)
    return reduce(or_, parts) if parts else None


def _inherited_follow(levels: MemberLevels) -> Q | None:
    """The topics the member tracks or watches by their category or a tag (None: no such
    choice), for topics without a choice of their own."""
    inherited: list[Q] = []
    if categories := levels.category_ids(*FOLLOWED):
        inherited.append(Q(category_id__in=categories))
    if tags := levels.tag_ids(*FOLLOWED):
        by_tags = Q(_tagged(tags))
        if levels.categories:
            by_tags &= ~Q(category_id__in=levels.category_ids())
        inherited.append(by_tags)
    return reduce(or_, inherited) if inherited else None


def unread_condition(member: Any, levels: MemberLevels) -> Q:
    """The topics the member tracks or watches and has opened but not read to the end."""
    behind = TopicUser.objects.filter(
        topic=OuterRef("pk"), member=member, last_read_number__lt=OuterRef("last_post_number")
    )
    unread = Q(Exists(behind.filter(level__in=FOLLOWED)))
    inherited = _inherited_follow(levels)
    if inherited is not None:
        unread |= Q(Exists(behind.filter(level=""))) & inherited
    return unread


# --- notifications ----------------------------------------------------------------------


def levels_for(topic: Topic) -> dict[int, NotificationLevel]:
    """Every member who chose a level for the topic, its category or one of its tags, with
    their level for the topic (three queries; everyone else is normal)."""
    own = dict(
        TopicUser.objects.filter(topic=topic).exclude(level="").values_list("member_id", "level")
    )
    by_category = dict(
        CategoryUser.objects.filter(category_id=topic.category_id).values_list("member_id", "level")
    )
    by_tags: dict[int, list[str]] = {}
    rows = TagUser.objects.filter(tag__tagged_topics__content_object=topic).values_list(
        "member_id", "level"
    )
    for member_id, level in rows:
        by_tags.setdefault(member_id, []).append(level)
    members = own.keys() | by_category.keys() | by_tags.keys()
    return {
        member_id: resolve(
            own.get(member_id), by_category.get(member_id), by_tags.get(member_id, ())
        )
        for member_id in members
    }


def members_at(levels: dict[int, NotificationLevel], level: NotificationLevel) -> set[int]:
    return {member_id for member_id, chosen in levels.items() if chosen == level}
