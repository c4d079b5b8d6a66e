"""The survey's own segments (community.segments): promoters and detractors, by each
member's latest answer of the last year. Registered from SurveyConfig.ready."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from community import segments
from community.models import User

from .models import SurveyAnswer

LATEST_WITHIN_DAYS = 365


def _latest_in_window(now: datetime, group: Q) -> Exists:
    """An answer of the window in ``group`` with no later answer of the window outside it:
    the member's latest answer is in the group. A semi-join over an anti-join, which
    PostgreSQL hashes (a per-member "latest score" subquery was 50,000 index probes)."""
    since = now - timedelta(days=LATEST_WITHIN_DAYS)
    later_elsewhere = SurveyAnswer.objects.filter(
        member=OuterRef("member"), created_at__gt=OuterRef("created_at")
    ).exclude(group)
    return Exists(
        SurveyAnswer.objects.filter(member=OuterRef("pk"), created_at__gt=since)
        .filter(group)
        .exclude(Exists(later_elsewhere))
    )


def promoters(now: datetime) -> QuerySet[User]:
    return segments.everyone().filter(_latest_in_window(now, Q(score__gte=9)))


def detractors(now: datetime) -> QuerySet[User]:
    return segments.everyone().filter(_latest_in_window(now, Q(score__lte=6)))


def register() -> None:
    segments.register(
        segments.Segment(
            "promoters",
            "Promoters",
            f"Latest survey answer of the last {LATEST_WITHIN_DAYS} days was 9 or 10.",
            promoters,
        )
    )
    segments.register(
        segments.Segment(
            "detractors",
            "Detractors",
            f"Latest survey answer of the last {LATEST_WITHIN_DAYS} days was 0 to 6.",
            detractors,
        )
    )
