"""The NPS dashboard in the Wagtail admin: editors and moderators (members never reach
the admin; other staff get a plain 403)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from community import segments as member_segments
from community.segments import Segment
from hearth.http import AuthenticatedHttpRequest

from . import dashboard
from .models import SurveyAnswer

CHART_WIDTH = 640
CHART_HEIGHT = 240
CHART_PAD = 40
REASON_SEARCH_MAX = 100


def may_view_dashboard(user) -> bool:
    return bool(user.is_authenticated and (user.is_editor or user.is_moderator))


def _chart(months: list[dashboard.Figures]) -> dict:
    """Points of the monthly score (−100…100) with their margin, placed in the SVG."""
    plot_w = CHART_WIDTH - 2 * CHART_PAD
    plot_h = CHART_HEIGHT - 2 * CHART_PAD
    step = plot_w / max(len(months) - 1, 1)

    def y(value: float) -> float:
        value = max(-100.0, min(100.0, value))
        return round(CHART_PAD + (100 - value) / 200 * plot_h, 1)

    points = []
    for i, month in enumerate(months):
        score = month.score or 0.0
        margin = month.margin or 0.0
        points.append(
            {
                "x": round(CHART_PAD + i * step if len(months) > 1 else CHART_WIDTH / 2, 1),
                "y": y(score),
                "low": y(score - margin),
                "high": y(score + margin),
                "month": month,
            }
        )
    return {
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "axis": [{"value": v, "y": y(v)} for v in (100, 50, 0, -50, -100)],
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_PAD,
        "right": CHART_WIDTH - CHART_PAD,
        "bottom": CHART_HEIGHT - CHART_PAD,
    }


@dataclass(frozen=True)
class _Filters:
    period: str
    segment: Segment | None
    text: str
    group: str


def _filters(request: HttpRequest) -> _Filters:
    """What the editor picked; anything unknown falls back to the default, never a 500."""
    period = request.GET.get("period", "")
    if period not in dashboard.PERIODS:
        period = dashboard.DEFAULT_PERIOD
    segment = member_segments.get(request.GET.get("segment", ""))
    if segment is not None and segment.key == "all":
        segment = None
    group = request.GET.get("group", "")
    return _Filters(
        period=period,
        segment=segment,
        text=request.GET.get("q", "").strip()[:REASON_SEARCH_MAX],
        group=group if group in dashboard.GROUPS else "",
    )


@require_GET
def dashboard_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_view_dashboard(request.user):
        return HttpResponseForbidden(
            render_to_string(
                "403.html",
                {"reason": _("Only editors and moderators can open this page.")},
                request,
            )
        )
    now = timezone.now()
    picked = _filters(request)
    start = dashboard.period_start(picked.period, now)
    answers = dashboard.answers_since(start)
    data = dashboard.monthly_report(answers)
    split = dashboard.table_segments(picked.segment)
    segment_rows = dashboard.by_segment(answers, split, now=now)
    if request.GET.get("format") == "csv":
        return _csv(data, segment_rows)
    rows = list(zip(split, segment_rows, strict=True))
    page = _page(picked, answers, data, rows, start=start, now=now)
    return TemplateResponse(request, "survey/admin/dashboard.html", page)


def _csv(data: dashboard.Report, segment_rows: list[dashboard.Figures]) -> HttpResponse:
    response = HttpResponse(
        dashboard.as_csv(data, segment_rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="recommend-survey.csv"'
    return response


def _page(
    picked: _Filters,
    answers: QuerySet[SurveyAnswer],
    data: dashboard.Report,
    segment_rows: list[tuple[Segment, dashboard.Figures]],
    *,
    start: datetime | None,
    now: datetime,
) -> dict[str, object]:
    """The figures of the period: the chart, the table by segment (and the picked segment
    beside everyone else), the reasons that match the filters."""
    comparison = None
    if picked.segment is not None:
        inside = next(row for segment, row in segment_rows if segment == picked.segment)
        comparison = [inside, dashboard.everyone_else(data.total, inside)]
    found = dashboard.reasons(
        answers, text=picked.text, group=picked.group, segment=picked.segment, now=now
    )
    return {
        "data": data,
        "chart": _chart(data.months) if data.months else None,
        "rate": dashboard.response_rate(start),
        "segment_rows": segment_rows,
        "segment_choices": [s for s in member_segments.all_segments() if s.key != "all"],
        "comparison": comparison,
        "picked": picked,
        "periods": dashboard.PERIOD_LABELS,
        "groups": [
            (dashboard.PROMOTER, "Promoters (9–10)"),
            (dashboard.PASSIVE, "Passives (7–8)"),
            (dashboard.DETRACTOR, "Detractors (0–6)"),
        ],
        "reasons": found[: dashboard.REASONS_SHOWN],
        "more_reasons": len(found) > dashboard.REASONS_SHOWN,
    }
