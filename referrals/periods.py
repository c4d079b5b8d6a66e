"""Calendar months as "YYYY-MM" keys, in the site's time zone.

Leaderboards, awards and the dashboard all speak in months; one module keeps the
boundaries the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format

from hearth.params import ParamError
from hearth.params import parse_month as parse_year_month

ALL_TIME = "all"


class PeriodError(ParamError):
    """A period that is not a month in the form YYYY-MM, from 2000 to the current month."""


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return date_format(date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(date(self.year, self.month, 1), time.min))

    @property
    def end(self) -> datetime:
        """The first instant of the next month (exclusive bound)."""
        return self.next().start

    def next(self) -> Month:
        if self.month == 12:
            return Month(self.year + 1, 1)
        return Month(self.year, self.month + 1)

    def previous(self) -> Month:
        if self.month == 1:
            return Month(self.year - 1, 12)
        return Month(self.year, self.month - 1)

    def __str__(self) -> str:
        return self.key


def month_of(moment: datetime | None = None) -> Month:
    local = timezone.localtime(moment or timezone.now())
    return Month(local.year, local.month)


def parse_month(value: str) -> Month:
    try:
        year, month = parse_year_month(value)
    except ParamError as exc:
        raise PeriodError(str(exc)) from None
    return Month(year, month)


def days_between(start: datetime, end: datetime) -> list[date]:
    first = timezone.localtime(start).date()
    last = timezone.localtime(end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
