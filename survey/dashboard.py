"""The NPS figures for editors.

:class:`Figures` holds one group's counts and computes the score and its margin of error
(checked against hand-computed sets). The counts come from SQL: one query for the months
(the total is their sum), one for the response rate, one for every segment side by side
(filtered ``Count`` aggregates, one column triple per segment), one for the reasons. No
loop over answers in Python. :func:`report` still takes (when, score) pairs for callers
that have them in hand.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy

from community import segments as member_segments

from .models import DETRACTOR, PASSIVE, PROMOTER, Prompt, SurveyAnswer, group_of

Z_95 = 1.96


@dataclass(frozen=True)
class Figures:
    """One group of answers: counts, the score (% promoters − % detractors, in points)
    and the 95% margin of error in points (None without answers)."""

    label: str
    responses: int
    promoters: int
    passives: int
    detractors: int

    def _share(self, count: int) -> float:
        return count / self.responses if self.responses else 0.0

    @property
    def promoter_share(self) -> float:
        return self._share(self.promoters)

    @property
    def passive_share(self) -> float:
        return self._share(self.passives)

    @property
    def detractor_share(self) -> float:
        return self._share(self.detractors)

    @property
    def score(self) -> float | None:
        if not self.responses:
            return None
        return 100 * (self.promoter_share - self.detractor_share)

    @property
    def margin(self) -> float | None:
        """sqrt((p + d − (p − d)²) / n) × 1.96, in points."""
        if not self.responses:
            return None
        p, d = self.promoter_share, self.detractor_share
        variance = max(p + d - (p - d) ** 2, 0.0)
        return 100 * Z_95 * math.sqrt(variance / self.responses)


def figures(label: str, scores: Iterable[int]) -> Figures:
    counts = {PROMOTER: 0, PASSIVE: 0, DETRACTOR: 0}
    for score in scores:
        counts[group_of(score)] += 1
    return Figures(
        label=label,
        responses=sum(counts.values()),
        promoters=counts[PROMOTER],
        passives=counts[PASSIVE],
        detractors=counts[DETRACTOR],
    )


@dataclass(frozen=True)
class Report:
    total: Figures
    months: list[Figures]  # oldest first, only months with answers


def _month(when: datetime | date) -> str:
    if isinstance(when, datetime):
        when = timezone.localtime(when) if timezone.is_aware(when) else when
    return f"{when.year:04d}-{when.month:02d}"


def report(answers: Iterable[tuple[datetime | date, int]]) -> Report:
    by_month: dict[str, list[int]] = {}
    everything: list[int] = []
    for when, score in answers:
        by_month.setdefault(_month(when), []).append(score)
        everything.append(score)
    return Report(
        total=figures("All answers", everything),
        months=[figures(month, by_month[month]) for month in sorted(by_month)],
    )


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def as_csv(data: Report, segment_rows: Sequence[Figures] = ()) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["period", "responses", "promoters", "passives", "detractors", "nps", "margin_of_error"]
    )
    for row in [*data.months, data.total, *segment_rows]:
        writer.writerow(
            [
                row.label,
                row.responses,
                row.promoters,
                row.passives,
                row.detractors,
                _fmt(row.score),
                _fmt(row.margin),
            ]
        )
    return out.getvalue()


# --- from the database ---------------------------------------------------------------------

PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
PERIOD_LABELS = {
    "30": gettext_lazy("Last 30 days"),
    "90": gettext_lazy("Last 90 days"),
    "365": gettext_lazy("Last 12 months"),
    "all": gettext_lazy("All time"),
}
DEFAULT_PERIOD = "365"
GROUPS = {
    PROMOTER: Q(score__gte=9),
    PASSIVE: Q(score__gte=7, score__lte=8),
    DETRACTOR: Q(score__lte=6),
}
REASONS_SHOWN = 50


def period_start(period: str, now: datetime) -> datetime | None:
    days = PERIODS.get(period, PERIODS[DEFAULT_PERIOD])
    return None if days is None else now - timedelta(days=days)


def answers_since(start: datetime | None) -> QuerySet[SurveyAnswer]:
    answers = SurveyAnswer.objects.all()
    return answers if start is None else answers.filter(created_at__gte=start)


def _counts(inside: Q | None = None, prefix: str = "") -> dict[str, Count]:
    def count(group: Q | None) -> Count:
        both = [q for q in (inside, group) if q is not None]
        condition = both[0] & both[1] if len(both) == 2 else (both[0] if both else None)
        return Count("id", filter=condition)

    return {
        f"{prefix}responses": count(None),
        f"{prefix}promoters": count(GROUPS[PROMOTER]),
        f"{prefix}detractors": count(GROUPS[DETRACTOR]),
    }


def _figures(label: str, row: dict, prefix: str = "") -> Figures:
    responses = row[f"{prefix}responses"] or 0
    promoters = row[f"{prefix}promoters"] or 0
    detractors = row[f"{prefix}detractors"] or 0
    return Figures(
        label=label,
        responses=responses,
        promoters=promoters,
        passives=responses - promoters - detractors,
        detractors=detractors,
    )


def _add(label: str, parts: Iterable[Figures]) -> Figures:
    parts = list(parts)
    return Figures(
        label=label,
        responses=sum(p.responses for p in parts),
        promoters=sum(p.promoters for p in parts),
        passives=sum(p.passives for p in parts),
        detractors=sum(p.detractors for p in parts),
    )


def monthly_report(answers: QuerySet[SurveyAnswer]) -> Report:
    """Each month's counts in one grouped query; the total is their sum."""
    rows = (
        answers.order_by()
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(**_counts())
        .order_by("month")
    )
    months = [_figures(_month(row["month"]), row) for row in rows]
    return Report(total=_add("All answers", months), months=months)


@dataclass(frozen=True)
class ResponseRate:
    """Of the asks in the period (card answers and set-asides, emails sent), how many
    were answered. The card's asks are only those a member acted on; an email is an ask
    from the moment it is sent."""

    asked: int
    answered: int
    emailed: int
    email_answered: int

    @staticmethod
    def _ratio(part: int, whole: int) -> float | None:
        return 100 * part / whole if whole else None

    @property
    def rate(self) -> float | None:
        return self._ratio(self.answered, self.asked)

    @property
    def email_rate(self) -> float | None:
        return self._ratio(self.email_answered, self.emailed)


def response_rate(start: datetime | None) -> ResponseRate:
    prompts = Prompt.objects.filter(kind=Prompt.Kind.SURVEY)
    if start is not None:
        prompts = prompts.filter(created_at__gte=start)
    row = prompts.aggregate(
        asked=Count("id"),
        answered=Count("id", filter=Q(outcome=Prompt.Outcome.ANSWERED)),
        emailed=Count("survey_email"),
        email_answered=Count("survey_email__answer"),
    )
    return ResponseRate(**row)


# The dashboard's table: the pairs editors compare, where the app that knows them has
# registered them. Any other segment can be picked and joins the table for that view.
TABLE_SEGMENTS = (
    "new",
    "established",
    "active",
    "dormant",
    "referred",
    "not_referred",
    "badge-tier:gold",
    "badge-tier:silver",
    "badge-tier:bronze",
    "promoters",
    "detractors",
)


def table_segments(
    picked: member_segments.Segment | None = None,
) -> list[member_segments.Segment]:
    chosen = [s for key in TABLE_SEGMENTS if (s := member_segments.get(key)) is not None]
    if picked is not None and picked not in chosen:
        chosen.append(picked)
    return chosen


def by_segment(
    answers: QuerySet[SurveyAnswer],
    chosen: Sequence[member_segments.Segment],
    *,
    now: datetime,
) -> list[Figures]:
    """Every segment's figures side by side, in one query: the answers of the period by
    members in the segment now.

    One ``UNION ALL`` branch per segment, each a semi-join of the answers with the
    segment's members and three counts; PostgreSQL plans each branch on its own (the
    same counts as ``FILTER`` columns over one scan were several times slower: dozens of
    membership subplans on every row).
    """
    if not chosen:
        return []
    branches = [
        answers.order_by()
        .filter(member_id__in=segment.members(now).values("pk"))
        .annotate(segment=Value(i, output_field=IntegerField()))
        .values("segment")
        .annotate(**_counts())
        .values("segment", "responses", "promoters", "detractors")
        for i, segment in enumerate(chosen)
    ]
    found = {row["segment"]: row for row in branches[0].union(*branches[1:], all=True)}
    empty = {"responses": 0, "promoters": 0, "detractors": 0}
    return [_figures(str(segment.label), found.get(i, empty)) for i, segment in enumerate(chosen)]


def everyone_else(total: Figures, inside: Figures) -> Figures:
    return Figures(
        label=f"Not in {inside.label.lower()}",
        responses=total.responses - inside.responses,
        promoters=total.promoters - inside.promoters,
        passives=total.passives - inside.passives,
        detractors=total.detractors - inside.detractors,
    )


def reasons(
    answers: QuerySet[SurveyAnswer],
    *,
    text: str = "",
    group: str = "",
    segment: member_segments.Segment | None = None,
    now: datetime | None = None,
    limit: int = REASONS_SHOWN,
) -> list[SurveyAnswer]:
    """The latest answers with a reason, matching ``text`` (any case) and ``group``; one
    more than ``limit`` is fetched so the page can say there are more."""
    found = answers.exclude(reason="").select_related("member")
    if text:
        found = found.filter(reason__icontains=text)
    if group in GROUPS:
        found = found.filter(GROUPS[group])
    if segment is not None:
        found = found.filter(member_id__in=segment.members(now or timezone.now()).values("pk"))
    return list(found.order_by("-created_at", "-id")[: limit + 1])
