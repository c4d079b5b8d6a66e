"""Figures for the editors' dashboard: the funnel, top links and content, the daily series.

Charts are drawn server-side as SVG from the geometry computed here (no JavaScript, no
CDN); every chart has the same numbers in a table next to it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from referrals.models import Referral, ReferralLink, Stage, Status, Visit
from referrals.periods import Month, days_between

CHART_WIDTH = 640
FUNNEL_LABEL_WIDTH = 170
FUNNEL_BAR_HEIGHT = 34
FUNNEL_GAP = 14
DAILY_HEIGHT = 170
DAILY_AXIS = 22


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


def funnel(month: Month) -> Funnel:
    visits = Visit.objects.filter(created_at__gte=month.start, created_at__lt=month.end).aggregate(
        people=Count("pk", filter=Q(is_crawler=False)),
        crawlers=Count("pk", filter=Q(is_crawler=True)),
    )
    cohort = Referral.objects.filter(
        created_at__gte=month.start, created_at__lt=month.end
    ).aggregate(
        signups=Count("pk"),
        joined=Count("pk", filter=Q(stage__gte=Stage.JOINED)),
        active=Count("pk", filter=Q(stage__gte=Stage.ACTIVE)),
        converted=Count("pk", filter=Q(stage=Stage.CONVERTED)),
        held=Count("pk", filter=Q(status=Status.HELD)),
        not_counted=Count("pk", filter=Q(status__in=[Status.REJECTED, Status.REVOKED])),
    )
    values = [
        ("Visits", visits["people"]),
        ("Sign-ups", cohort["signups"]),
        ("Active", cohort["active"]),
        ("Converted", cohort["converted"]),
    ]
    largest = max((v for _, v in values), default=0) or 1
    span = CHART_WIDTH - FUNNEL_LABEL_WIDTH - 150
    steps = []
    previous = None
    for index, (label, value) in enumerate(values):
        steps.append(
            Step(
                label=label,
                value=value,
                rate=_rate(value, previous) if previous is not None else None,
                y=index * (FUNNEL_BAR_HEIGHT + FUNNEL_GAP),
                width=max(int(span * value / largest), 2 if value else 0),
            )
        )
        previous = value
    return Funnel(
        steps=steps,
        crawler_visits=visits["crawlers"],
        joined=cohort["joined"],
        held=cohort["held"],
        not_counted=cohort["not_counted"],
        overall_rate=_rate(cohort["converted"], visits["people"]),
        height=len(steps) * (FUNNEL_BAR_HEIGHT + FUNNEL_GAP),
    )


def _conversions(month: Month):
    return Referral.objects.filter(
        stage=Stage.CONVERTED,
        status=Status.COUNTING,
        converted_at__gte=month.start,
        converted_at__lt=month.end,
    )


def top_links(month: Month, *, limit: int = 10) -> list[dict]:
    counts = list(
        _conversions(month)
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
            created_at__gte=month.start,
            created_at__lt=month.end,
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


def top_content(month: Month, *, limit: int = 10) -> list[dict]:
    rows = (
        _conversions(month)
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
    day: object
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


def daily(month: Month) -> tuple[list[Day], int]:
    signups = dict(
        Referral.objects.filter(created_at__gte=month.start, created_at__lt=month.end)
        .annotate(d=TruncDate("created_at"))
        .values("d")
        .annotate(n=Count("pk"))
        .values_list("d", "n")
    )
    conversions = dict(
        _conversions(month)
        .annotate(d=TruncDate("converted_at"))
        .values("d")
        .annotate(n=Count("pk"))
        .values_list("d", "n")
    )
    days = days_between(month.start, month.end)
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


def report(month: Month) -> dict:
    series, largest = daily(month)
    held_count, held_referrals = held()
    return {
        "month": month,
        "funnel": funnel(month),
        "top_links": top_links(month),
        "top_content": top_content(month),
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
    month = data["month"]
    writer.writerow(["Referral dashboard", month.key])
    writer.writerow([])
    writer.writerow(
        ["Funnel (referrals who signed up in the month)", "count", "% of previous step"]
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
    writer.writerow(["Day", "sign-ups", "conversions"])
    for day in data["daily"]:
        writer.writerow([day.day.isoformat(), day.signups, day.conversions])
    return out.getvalue()
