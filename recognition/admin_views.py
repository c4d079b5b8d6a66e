"""The surprise draws, read only, for moderators and editors (the audit of the surprise)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import HttpResponse, HttpResponseForbidden, QueryDict
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hearth.http import AuthenticatedHttpRequest
from recognition.models import SurpriseBudget, SurpriseDraw, SurpriseSettings

DRAWS_PER_PAGE = 50


def may_audit_draws(user) -> bool:
    return bool(user.is_authenticated and (user.is_moderator or user.is_editor))


@require_safe
def draws(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_audit_draws(request.user):
        return HttpResponseForbidden(
            render_to_string(
                "403.html",
                {"reason": _("Only moderators and editors can see the surprise draws.")},
                request,
            )
        )
    rows, username, outcome = _filtered_draws(request.GET)
    context = {
        "page": Paginator(rows, DRAWS_PER_PAGE).get_page(request.GET.get("page")),
        "member": username,
        "outcome": outcome,
        "outcomes": SurpriseDraw.Outcome.choices,
        "config": SurpriseSettings.load(request_or_site=request),
        "months": list(SurpriseBudget.objects.order_by("-month")[:3]),
        "paid_total": _paid_total(rows),
    }
    return TemplateResponse(request, "recognition/admin/draws.html", context)


def _filtered_draws(params: QueryDict) -> tuple[QuerySet[SurpriseDraw], str, str]:
    """The draws the filters choose, newest first, with the filters as understood.
    Unknown filter values are ignored, never an error: it is a read-only audit."""
    rows = SurpriseDraw.objects.select_related("member").order_by("-created_at", "-pk")
    username = params.get("member", "").strip()[:150]
    if username:
        rows = rows.filter(member__username__iexact=username)
    outcome = params.get("outcome", "")
    if outcome not in SurpriseDraw.Outcome.values:
        outcome = ""
    if outcome:
        rows = rows.filter(outcome=outcome)
    return rows, username, outcome


def _paid_total(rows: QuerySet[SurpriseDraw]):
    won = rows.filter(outcome=SurpriseDraw.Outcome.WON)
    return won.aggregate(total=Sum("amount"))["total"] or 0
