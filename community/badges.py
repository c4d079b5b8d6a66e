"""Members' badges where community shows names (forum posts), without knowing badges.

The referral hub owns the badge catalogue and the rows; community only asks "what is
the top badge of each of these members?" through one lookup an app registers in its
``AppConfig.ready`` (this module imports no app above it)::

    register_badge_lookup(top_badges_of)   # ids -> {member id: BadgeLabel}, ONE query

Without a registered lookup nobody shows a badge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

# Sent (after commit) by the app that keeps badges whenever a member gains or loses one,
# so pages that show badges beside names and keep rendered copies draw them anew.
badges_changed = Signal()


@dataclass(frozen=True)
class BadgeLabel:
    """What a page needs to show one badge: words first, the tier's colour only adds."""

    key: str
    name: str
    tier: str  # "bronze", "silver" or "gold": a CSS modifier
    tier_label: str  # "Gold": always written out, never told by colour alone
    url: str


BadgeLookup = Callable[[list[int]], dict[int, BadgeLabel]]
_lookup: BadgeLookup | None = None

# Where one page's answer is kept, so each post of the page asks nothing more.
REQUEST_CACHE = "_hearth_top_badges"


def register_badge_lookup(lookup: BadgeLookup) -> None:
    global _lookup
    _lookup = lookup


def top_badges(member_ids: Iterable[int | None]) -> dict[int, BadgeLabel]:
    """Each member's top badge, for the members that have one (one query at most)."""
    ids = sorted({pk for pk in member_ids if pk is not None})
    if _lookup is None or not ids:
        return {}
    return _lookup(ids)


def top_badge_for_page(request: Any, member_id: int | None, others: Iterable[Any] = ()) -> Any:
    """``member_id``'s top badge on a page listing ``others`` (objects with
    ``author_id``): the first call asks for every author at once and keeps the answer
    on the request, the rest read it."""
    if member_id is None:
        return None
    known: dict[int, BadgeLabel | None] | None = getattr(request, REQUEST_CACHE, None)
    if known is None or member_id not in known:
        ids = {member_id}
        ids.update(pk for obj in others if isinstance(pk := getattr(obj, "author_id", None), int))
        found = top_badges(ids)
        known = {**(known or {}), **{pk: found.get(pk) for pk in ids}}
        if request is not None:
            setattr(request, REQUEST_CACHE, known)
    return known.get(member_id)
