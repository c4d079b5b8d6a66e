"""The NPS dashboard in the Wagtail admin: editors and moderators (members never reach
the admin; other staff get a plain 403)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseForbidden
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from hearth.http import AuthenticatedHttpRequest

from . import dashboard
from .models import SurveyAnswer

CHART_WIDTH = 640
CHART_HEIGHT = 240
CHART_PAD = 40


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


@require_GET
def dashboard_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_view_dashboard(request.user):
        return HttpResponseForbidden(
            render_to_string(
                "403.html", {"reason": "Only editors and moderators can open this page."}, request
            )
        )
    data = dashboard.report(SurveyAnswer.objects.values_list("created_at", "score"))
    if request.GET.get("format") == "csv":
        response = HttpResponse(dashboard.as_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="recommend-survey.csv"'
        return response
    return TemplateResponse(
        request,
        "survey/admin/dashboard.html",
        {"data": data, "chart": _chart(data.months) if data.months else None},
    )
