"""Figures for the editors' dashboard: the funnel, top links and content, the daily series.

Charts are drawn server-side as SVG from the geometry computed here (no JavaScript, no
CDN); every chart has the same numbers in a table next to it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DateField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.models import User
from referrals import recruiting
from referrals import segments as referral_segments
from referrals.models import PointsEntry, Referral, ReferralLink, Stage, Status, Visit
from referrals.periods import Month, days_between, month_of

CHART_WIDTH = 640
FUNNEL_LABEL_WIDTH = 170
FUNNEL_BAR_HEIGHT = 34
FUNNEL_GAP = 14
DAILY_HEIGHT = 170
DAILY_AXIS = 22
# A range of days is at most a year (a leap year's 366 days); longer is all time, by month.
MAX_RANGE_DAYS = 366
# Past three months a bar a day is too thin to read: the chart counts months instead.
DAYS_CHARTED_BY_DAY = 92


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _short_day(day) -> str:
    """ "5 Nov 2026" in English, in the active language's words otherwise."""
    return date_format(day, "j M Y")


@dataclass(frozen=True)
class Span:
    """The stretch of time the dashboard shows: a month, a range of days or all time."""

    kind: str  # "month", "range" or "all"
    first_day: date
    last_day: date  # inclusive
    month: Month | None = None

    @classmethod
    def of_month(cls, month: Month) -> Span:
        last = month.next().start.date() - timedelta(days=1)
        return cls("month", date(month.year, month.month, 1), last, month)

    @classmethod
    def of_days(cls, first: date, last: date) -> Span:
        return cls("range", first, last)

    @classmethod
    def all_time(cls) -> Span:
        today = timezone.localdate()
        firsts = [
            Visit.objects.aggregate(first=Min("created_at"))["first"],
            Referral.objects.aggregate(first=Min("created_at"))["first"],
        ]
        known = [timezone.localtime(moment).date() for moment in firsts if moment is not None]
        return cls("all", min([*known, today]), today)

    @property
    def start(self) -> datetime:
        return _start_of(self.first_day)

    @property
    def end(self) -> datetime:
        """The first instant after the span (exclusive bound)."""
        return _start_of(self.last_day + timedelta(days=1))

    @property
    def key(self) -> str:
        """Names the span in a file name."""
        if self.month is not None:
            return self.month.key
        if self.kind == "all":
            return "all-time"
        return f"{self.first_day.isoformat()}-to-{self.last_day.isoformat()}"

    @property
    def query(self) -> str:
        """The address's query string that shows this span again."""
        if self.month is not None:
            return f"period={self.month.key}"
        if self.kind == "all":
            return "period=all"
        return f"from={self.first_day.isoformat()}&to={self.last_day.isoformat()}"

    @property
    def label(self) -> str:
        if self.month is not None:
            return self.month.label
        if self.kind == "all":
            return _("All time")
        return f"{_short_day(self.first_day)} – {_short_day(self.last_day)}"

    @property
    def during(self) -> str:
        """Ends "people who signed up …" and "conversions …"."""
        if self.month is not None:
            return _("in %(month)s") % {"month": self.month.label}
        if self.kind == "all":
            return _("since the start")
        return _("from %(first)s to %(last)s") % {
            "first": _short_day(self.first_day),
            "last": _short_day(self.last_day),
        }

    @property
    def by_month(self) -> bool:
        return (self.last_day - self.first_day).days >= DAYS_CHARTED_BY_DAY

    @property
    def previous_month(self) -> Month | None:
        return self.month.previous() if self.month is not None else None

    @property
    def next_month(self) -> Month | None:
        if self.month is None or self.month.next().start > month_of().start:
            return None
        return self.month.next()


@dataclass(frozen=True)
class Step:
    label: str
    value: int
    rate: float | None  # share of the previous step, in percent
    # SVG geometry
    y: int = 0
    width: int = 0


@dataclass(frozen=True)
class Funnel:
    steps: list[Step]
    crawler_visits: int
    joined: int
    held: int
    not_counted: int
    overall_rate: float | None
    height: int


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _referrals(members: QuerySet[User] | None = None) -> QuerySet[Referral]:
    """Every referral, or those whose referee is in ``members`` (a segment)."""
    if members is None:
        return Referral.objects.all()
    return Referral.objects.filter(referee__in=members.values("pk"))


def funnel(span: Span, members: QuerySet[User] | None = None) -> Funnel:
    visits = Visit.objects.filter(created_at__gte=span.start, created_at__lt=span.end).aggregate(
        people=Count("pk", filter=Q(is_crawler=False)),
        crawlers=Count("pk", filter=Q(is_crawler=True)),
    )
    cohort = (
        _referrals(members)
        .filter(created_at__gte=span.start, created_at__lt=span.end)
        .aggregate(
            signups=Count("pk"),
            joined=Count("pk", filter=Q(stage__gte=Stage.JOINED)),
            active=Count("pk", filter=Q(stage__gte=Stage.ACTIVE)),
            converted=Count("pk", filter=Q(stage=Stage.CONVERTED)),
            held=Count("pk", filter=Q(status=Status.HELD)),
            not_counted=Count("pk", filter=Q(status__in=[Status.REJECTED, Status.REVOKED])),
        )
    )
    values = [
        (_("Visits"), visits["people"]),
        (_("Sign-ups"), cohort["signups"]),
        (_("Active"), cohort["active"]),
        (_("Converted"), cohort["converted"]),
    ]
    if members is not None:
        # A visitor is not a member yet: visits cannot be split by segment.
        values = values[1:]
    largest = max((v for _label, v in values), default=0) or 1
    bar_room = CHART_WIDTH - FUNNEL_LABEL_WIDTH - 150
    steps = []
    previous = None
    for index, (label, value) in enumerate(values):
        steps.append(
            Step(
                label=label,
                value=value,
                rate=_rate(value, previous) if previous is not None else None,
                y=index * (FUNNEL_BAR_HEIGHT + FUNNEL_GAP),
                width=max(int(bar_room * value / largest), 2 if value else 0),
            )
        )
        previous = value
    return Funnel(
        steps=steps,
        crawler_visits=visits["crawlers"],
        joined=cohort["joined"],
        held=cohort["held"],
        not_counted=cohort["not_counted"],
        overall_rate=None if members is not None else _rate(cohort["converted"], visits["people"]),
        height=len(steps) * (FUNNEL_BAR_HEIGHT + FUNNEL_GAP),
    )


def _conversions(span: Span, members: QuerySet[User] | None = None):
    return _referrals(members).filter(
        stage=Stage.CONVERTED,
        status=Status.COUNTING,
        converted_at__gte=span.start,
        converted_at__lt=span.end,
    )


def top_links(span: Span, members: QuerySet[User] | None = None, *, limit: int = 10) -> list[dict]:
    counts = list(
        _conversions(span, members)
        .filter(link__isnull=False)
        .values("link_id")
        .annotate(conversions=Count("pk"))
        .order_by("-conversions", "link_id")[:limit]
    )
    links = ReferralLink.objects.select_related("owner").in_bulk([c["link_id"] for c in counts])
    visits = dict(
        Visit.objects.filter(
            link_id__in=list(links),
            is_crawler=False,
            created_at__gte=span.start,
            created_at__lt=span.end,
        )
        .values("link_id")
        .annotate(n=Count("pk"))
        .values_list("link_id", "n")
    )
    return [
        {
            "link": links[c["link_id"]],
            "conversions": c["conversions"],
            "visits": visits.get(c["link_id"], 0),
        }
        for c in counts
        if c["link_id"] in links
    ]


def top_content(
    span: Span, members: QuerySet[User] | None = None, *, limit: int = 10
) -> list[dict]:
    rows = (
        _conversions(span, members)
        .exclude(link__target_path="")
        .filter(link__isnull=False)
        .values("link__target_path")
        .annotate(conversions=Count("pk"), links=Count("link", distinct=True))
        .order_by("-conversions", "link__target_path")[:limit]
    )
    titles = dict(
        ReferralLink.objects.filter(target_path__in=[r["link__target_path"] for r in rows])
        .exclude(target_title="")
        .values_list("target_path", "target_title")
    )
    return [
        {
            "path": r["link__target_path"],
            "title": titles.get(r["link__target_path"], ""),
            "conversions": r["conversions"],
            "links": r["links"],
        }
        for r in rows
    ]


@dataclass(frozen=True)
class Day:
    day: date
    signups: int
    conversions: int
    # SVG geometry: two bars side by side in the day's slot, growing up from the axis.
    x: int = 0
    bar_width: int = 0
    signup_y: int = 0
    signup_height: int = 0
    conversion_x: int = 0
    conversion_y: int = 0
    conversion_height: int = 0


def _months_between(first: date, last: date) -> list[date]:
    months = [date(first.year, first.month, 1)]
    while (months[-1].year, months[-1].month) < (last.year, last.month):
        month = months[-1]
        months.append(date(month.year + month.month // 12, month.month % 12 + 1, 1))
    return months


def _as_date(value: date | datetime) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def daily(span: Span, members: QuerySet[User] | None = None) -> tuple[list[Day], int]:
    """Sign-ups and conversions per day, or per month (``Day.day`` its first day) when the
    span is longer than a bar a day can show."""

    def bucket(field: str) -> TruncDate | TruncMonth:
        if span.by_month:
            return TruncMonth(field, output_field=DateField())
        return TruncDate(field)

    signups = {
        _as_date(d): n
        for d, n in _referrals(members)
        .filter(created_at__gte=span.start, created_at__lt=span.end)
        .annotate(d=bucket("created_at"))
        .values("d")
        .annotate(n=Count("pk"))
        .values_list("d", "n")
    }
    conversions = {
        _as_date(d): n
        for d, n in _conversions(span, members)
        .annotate(d=bucket("converted_at"))
        .values("d")
        .annotate(n=Count("pk"))
        .values_list("d", "n")
    }
    if span.by_month:
        days = _months_between(span.first_day, span.last_day)
    else:
        days = days_between(span.start, span.end)
    largest = max([*signups.values(), *conversions.values(), 1])
    slot = CHART_WIDTH // max(len(days), 1)
    bar = max((slot - 4) // 2, 1)
    plot = DAILY_HEIGHT - DAILY_AXIS
    series = []
    for index, day in enumerate(days):
        s, c = signups.get(day, 0), conversions.get(day, 0)
        s_height, c_height = int(plot * s / largest), int(plot * c / largest)
        series.append(
            Day(
                day=day,
                signups=s,
                conversions=c,
                x=index * slot,
                bar_width=bar,
                signup_y=plot - s_height,
                signup_height=s_height,
                conversion_x=2 + bar,
                conversion_y=plot - c_height,
                conversion_height=c_height,
            )
        )
    return series, largest


def held(*, limit: int = 10) -> tuple[int, list[Referral]]:
    queryset = Referral.objects.held().select_related("referrer", "referee").order_by("held_at")
    return queryset.count(), list(queryset[:limit])


def report(span: Span, members: QuerySet[User] | None = None) -> dict:
    """The dashboard's figures for ``span``; with ``members`` (a segment) only referrals
    of those members count. The held list is a to-do list and is never split."""
    series, largest = daily(span, members)
    held_count, held_referrals = held()
    return {
        "span": span,
        "funnel": funnel(span, members),
        "top_links": top_links(span, members),
        "top_content": top_content(span, members),
        "content_ranking": recruiting.ranking(start=span.start, end=span.end, members=members),
        "daily": series,
        "daily_max": largest,
        "held_count": held_count,
        "held": held_referrals,
    }


def _cell(value):
    # Spreadsheets run cells that start with these as formulas; member-written text
    # (titles, paths) must stay text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: list) -> None:
        self._writer.writerow([_cell(value) for value in row])


def as_csv(data: dict) -> str:
    out = io.StringIO()
    writer = _SafeWriter(out)
    span = data["span"]
    writer.writerow(["Referral dashboard", span.key])
    writer.writerow([])
    writer.writerow(
        ["Funnel (referrals who signed up in the period)", "count", "% of previous step"]
    )
    for step in data["funnel"].steps:
        writer.writerow([step.label, step.value, "" if step.rate is None else step.rate])
    writer.writerow(["Crawler visits (not counted above)", data["funnel"].crawler_visits, ""])
    writer.writerow(["Held for review", data["funnel"].held, ""])
    writer.writerow(["Did not count (rejected or revoked)", data["funnel"].not_counted, ""])
    writer.writerow([])
    writer.writerow(["Top links by conversions", "owner", "target", "visits", "conversions"])
    for row in data["top_links"]:
        link = row["link"]
        writer.writerow(
            [link.code, link.owner.username, link.destination, row["visits"], row["conversions"]]
        )
    writer.writerow([])
    writer.writerow(["Top content by conversions", "title", "links", "conversions"])
    for row in data["top_content"]:
        writer.writerow([row["path"], row["title"], row["links"], row["conversions"]])
    writer.writerow([])
    writer.writerow(["Content that recruits", "title", "sign-ups", "conversions"])
    for row in data["content_ranking"]:
        writer.writerow([row["path"], row["title"], row["signups"], row["conversions"]])
    writer.writerow([])
    writer.writerow(["Month" if span.by_month else "Day", "sign-ups", "conversions"])
    for day in data["daily"]:
        when = f"{day.day:%Y-%m}" if span.by_month else day.day.isoformat()
        writer.writerow([when, day.signups, day.conversions])
    return out.getvalue()


# --- the members of a segment, for the brand ------------------------------------------------

MEMBERS_CSV_HEADER = ["username", "display name", "email", "joined", "referred", "points"]


class _Line:
    """A file-like object whose write returns the line, so a csv writer yields text."""

    def write(self, value: str) -> str:
        return value


def members_csv(members: QuerySet[User]) -> Iterator[str]:
    """The CSV lines of ``members``, one query read in chunks (it can be every member).

    "referred" is yes when they came through a referral a moderator did not reject (the
    "referred" segment's rule); "points" is their balance.
    """
    writer = csv.writer(_Line())
    balance = (
        PointsEntry.objects.filter(member=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = (
        members.annotate(
            came_referred=referral_segments.came_through(),
            points_balance=Coalesce(Subquery(balance, output_field=IntegerField()), 0),
        )
        .order_by("date_joined", "pk")
        .values_list(
            "username", "display_name", "email", "date_joined", "came_referred", "points_balance"
        )
    )
    yield writer.writerow(MEMBERS_CSV_HEADER)
    for username, display_name, email, joined, came_referred, points in rows.iterator(
        chunk_size=2000
    ):
        yield writer.writerow(
            [
                _cell(username),
                _cell(display_name),
                _cell(email),
                timezone.localtime(joined).date().isoformat(),
                "yes" if came_referred else "no",
                points,
            ]
        )
