"""The NPS figures for editors: a pure computation over (when, score) pairs, so the
numbers are checked against a hand-computed set, and a CSV of the same table."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from .models import DETRACTOR, PASSIVE, PROMOTER, group_of

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


def as_csv(data: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["period", "responses", "promoters", "passives", "detractors", "nps", "margin_of_error"]
    )
    for row in [*data.months, data.total]:
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
