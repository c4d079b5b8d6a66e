"""Segments: named filters over members, shared by every screen that targets or splits.

Challenges pick their audience from them, the survey its askees, the NPS and referral
dashboards split by them, and editors download a CSV of a segment's members. Each app
registers the segments it knows in ``AppConfig.ready`` (this module imports no app
above it): community the ones about joining and visiting, the referral hub "referred"
and "top recommenders", badges one per badge, the survey promoters and detractors.

A segment's ``members(now)`` is a queryset of active members, so callers can count it,
filter it further or use it as a subquery (``pk__in=``) without loading rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from community.models import MemberDay, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NEW_FOR_DAYS = 90
ACTIVE_WITHIN_DAYS = 30
DORMANT_AFTER_DAYS = 60


@dataclass(frozen=True)
class Segment:
    key: str
    label: StrOrPromise
    description: StrOrPromise
    members: Callable[[datetime], QuerySet[User]]


_segments: dict[str, Segment] = {}


def register(segment: Segment) -> None:
    _segments[segment.key] = segment


def all_segments() -> list[Segment]:
    return list(_segments.values())


def choices() -> list[tuple[str, StrOrPromise]]:
    return [(segment.key, segment.label) for segment in _segments.values()]


def get(key: str) -> Segment | None:
    return _segments.get(key)


def members(key: str, *, now: datetime | None = None) -> QuerySet[User]:
    """The members in segment ``key`` (KeyError for an unknown key)."""
    return _segments[key].members(now or timezone.now())


def includes(key: str, member: User, *, now: datetime | None = None) -> bool:
    return members(key, now=now).filter(pk=member.pk).exists()


def everyone() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def _visited_since(moment: datetime) -> Exists:
    # MemberDay.day is a date in the site's time zone.
    return Exists(
        MemberDay.objects.filter(member=OuterRef("pk"), day__gte=timezone.localdate(moment))
    )


def _new(now: datetime) -> QuerySet[User]:
    return everyone().filter(date_joined__gte=now - timedelta(days=NEW_FOR_DAYS))


def _established(now: datetime) -> QuerySet[User]:
    return everyone().filter(date_joined__lt=now - timedelta(days=NEW_FOR_DAYS))


def _active(now: datetime) -> QuerySet[User]:
    return everyone().filter(_visited_since(now - timedelta(days=ACTIVE_WITHIN_DAYS)))


def _dormant(now: datetime) -> QuerySet[User]:
    since = now - timedelta(days=DORMANT_AFTER_DAYS)
    return everyone().filter(date_joined__lt=since).exclude(_visited_since(since))


register(
    Segment(
        "all",
        gettext_lazy("All members"),
        gettext_lazy("Every member with an open account."),
        lambda _: everyone(),
    )
)
register(
    Segment(
        "new",
        gettext_lazy("New members"),
        format_lazy(gettext_lazy("Joined in the last {days} days."), days=NEW_FOR_DAYS),
        _new,
    ),
)
register(
    Segment(
        "established",
        gettext_lazy("Longer-standing members"),
        format_lazy(gettext_lazy("Joined more than {days} days ago."), days=NEW_FOR_DAYS),
        _established,
    )
)
register(
    Segment(
        "active",
        gettext_lazy("Active members"),
        format_lazy(gettext_lazy("Visited in the last {days} days."), days=ACTIVE_WITHIN_DAYS),
        _active,
    )
)
register(
    Segment(
        "dormant",
        gettext_lazy("Dormant members"),
        format_lazy(
            gettext_lazy("Joined and not seen for {days} days or more."), days=DORMANT_AFTER_DAYS
        ),
        _dormant,
    )
)
