"""The small card a click on a member's name opens (in a forum post or a chat message).

The card is fetched on demand (``/members/<username>/card/``), so the pages that show
names pay nothing for it. What it shows of the member's activity follows the profile's
rule: a member who keeps their activity from visitors shows it to signed-in members only.

Badges: community knows only "each member's top badge" (:mod:`community.badges`). The
app that keeps badges may register a lookup for a few of one member's badges
(:func:`register_card_badges`); without it the card shows the top badge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from community import badges, trust
from community.badges import BadgeLabel
from community.models import MemberDay, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CARD_BADGES = 3
# Counts may lag a minute behind the profile; a card opened again is free.
CACHE_SECONDS = 60

CardBadges = Callable[[User, int], list[BadgeLabel]]
_card_badges: CardBadges | None = None


def register_card_badges(lookup: CardBadges) -> None:
    """``lookup(member, limit)`` -> up to ``limit`` of the member's badges, best first."""
    global _card_badges
    _card_badges = lookup


@dataclass(frozen=True)
class CardFacts:
    """What every reader of one kind (visitor or signed-in) sees on a member's card."""

    trust_level_name: StrOrPromise
    badges: tuple[BadgeLabel, ...]
    counts: tuple[tuple[StrOrPromise, int], ...]  # (label, number), only when activity is shown


def _badges_of(member: User) -> tuple[BadgeLabel, ...]:
    if _card_badges is not None:
        return tuple(_card_badges(member, CARD_BADGES)[:CARD_BADGES])
    top = badges.top_badges([member.pk]).get(member.pk)
    return (top,) if top else ()


def _activity_counts(request: Any, member: User) -> tuple[tuple[StrOrPromise, int], ...]:
    # The forum's own counter for the profile, counted over what this reader may see.
    from community.forum.sections import activity

    found = activity(request, member=member)
    forum = found[1] if found else {}
    days = MemberDay.objects.filter(member=member).count()
    return (
        (gettext_lazy("Topics"), forum.get("started", 0)),
        (gettext_lazy("Replies"), forum.get("replies", 0)),
        (gettext_lazy("Solutions"), forum.get("solutions", 0)),
        (gettext_lazy("Days visited"), days),
    )


def activity_shown(member: User, viewer: Any) -> bool:
    """The profile's rule: visitors see activity only where the member allows it."""
    return bool(member.activity_public or viewer.is_authenticated)


def _audience(member: User, viewer: Any) -> str:
    """Readers who count the same posts (a moderator counts more, the member their own
    held posts), so they may share one cached copy."""
    if not viewer.is_authenticated:
        return "visitor"
    if viewer.pk == member.pk:
        return "self"
    return "moderator" if viewer.is_moderator else "member"


def card_facts(request: Any, member: User) -> CardFacts:
    """The card's facts for this kind of reader, cached per member for a minute."""
    viewer = request.user
    shown = activity_shown(member, viewer)
    key = f"community:card:{member.pk}:{_audience(member, viewer)}:{int(shown)}"
    facts = cache.get(key)
    if facts is None:
        facts = CardFacts(
            trust_level_name=trust.level_name(trust.trust_level(member)),
            badges=_badges_of(member),
            counts=_activity_counts(request, member) if shown else (),
        )
        cache.set(key, facts, CACHE_SECONDS)
    return facts


def message_url(username: str) -> str | None:
    """Where "Message" goes, once private messages exist on this site (else None)."""
    try:
        start = reverse("conversations:new")
    except NoReverseMatch:
        return None
    return f"{start}?{urlencode({'to': username})}"
