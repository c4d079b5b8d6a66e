"""Wagtail admin screens: held-referral review and links (moderators), the dashboard and
thank-you tasks (editors). Each view checks its permission first; the data migration
gives Moderators ``review_referral`` and Editors the dashboard and thank-you ones.
Wagtail serves them behind its admin sign-in, so the request's user is signed in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import registry as log_registry

from community import segments
from hearth.http import AuthenticatedHttpRequest
from hearth.rules import add_to_form, flash
from referrals import actions, awards, dashboard
from referrals.forms import PeriodForm, ReviewForm, ThankYouForm
from referrals.models import (
    Award,
    MemberBadge,
    Referral,
    ReferralLink,
    ReferralScore,
    SignUp,
    Status,
    ThankYouTask,
)
from referrals.periods import ALL_TIME, month_of

REVIEW = actions.REVIEW_PERMISSION
DASHBOARD = "referrals.view_referral_dashboard"
THANK = actions.THANK_YOU_PERMISSION


_ONLY = {
    "moderators": gettext_lazy("Only moderators can open this page."),
    "editors": gettext_lazy("Only editors can open this page."),
}


def _forbidden(request: HttpRequest, permission: str, what: str) -> HttpResponse | None:
    """A 403 page that says who may open this page."""
    if request.user.has_perm(permission):
        return None
    return HttpResponseForbidden(render_to_string("403.html", {"reason": _ONLY[what]}, request))


def _render(request, template: str, context: dict, *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, template, context, status=status)


def _only(request: HttpRequest, *methods: str) -> HttpResponse | None:
    if request.method not in methods:
        return HttpResponseNotAllowed(methods)
    return None


# --- held referrals (moderators) ----------------------------------------------------


def held_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if refused := _only(request, "GET", "HEAD") or _forbidden(request, REVIEW, "moderators"):
        return refused
    page = Paginator(
        Referral.objects.held().select_related("referrer", "referee", "link").order_by("held_at"),
        50,
    ).get_page(request.GET.get("page"))
    return _render(request, "referrals/admin/held_list.html", {"page": page})


def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if refused := _only(request, "GET", "HEAD", "POST") or _forbidden(
        request, REVIEW, "moderators"
    ):
        return refused
    referral = get_object_or_404(
        Referral.objects.select_related("referrer", "referee", "link", "reviewed_by"), pk=pk
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _decided(request, referral, form):
        return redirect("referrals_admin:held")
    return _render(
        request,
        "referrals/admin/review.html",
        _review_page(referral, form),
        status=400 if request.method == "POST" else 200,
    )


def _decided(request: AuthenticatedHttpRequest, referral: Referral, form: ReviewForm) -> bool:
    """Approve or reject as the valid form says. True when the moderator goes back to the
    held list (decided, or decided by someone else meanwhile); False with the refusal on
    the form."""
    decision = form.cleaned_data["decision"]
    try:
        actions.decide_referral(
            referral=referral,
            moderator=request.user,
            decision=decision,
            note=form.cleaned_data["note"],
        )
    except actions.ReferralError as error:
        if error.code != "not_held":
            add_to_form(form, error)
            return False
        flash(request, error)  # decided meanwhile: back to what still waits
        return True
    if decision == "approve":
        done = _("The referral of %(name)s is approved.")
    else:
        done = _("The referral of %(name)s is rejected.")
    messages.success(request, done % {"name": referral.referee.name})
    return True


def _review_page(referral: Referral, form: ReviewForm) -> dict[str, Any]:
    """The held referral with what a moderator weighs: its events, both members' sign-ups,
    the referrer's other referrals and the audit history."""
    signups = {
        s.member_id: s
        for s in SignUp.objects.filter(member_id__in=[referral.referrer_id, referral.referee_id])
    }
    return {
        "referral": referral,
        "form": form,
        "events": referral.events.all(),
        "referrer_signup": signups.get(referral.referrer_id),
        "referee_signup": signups.get(referral.referee_id),
        "other_referrals": Referral.objects.filter(referrer=referral.referrer)
        .exclude(pk=referral.pk)
        .aggregate(total=Count("pk"), held=Count("pk", filter=Q(status=Status.HELD))),
        "history": log_registry.get_logs_for_instance(referral).select_related("user")[:20],
    }


def links(request: AuthenticatedHttpRequest) -> HttpResponse:
    if refused := _only(request, "GET", "HEAD") or _forbidden(request, REVIEW, "moderators"):
        return refused
    query = request.GET.get("q", "").strip()[:100]
    queryset = ReferralLink.objects.select_related("owner", "disabled_by").order_by("-created_at")
    if query:
        queryset = queryset.filter(
            Q(code__iexact=query.lower())
            | Q(owner__username__iexact=query)
            | Q(target_path__icontains=query)
        )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "referrals/admin/links.html",
        {"page": page, "query": query, "here": request.get_full_path()},
    )


# --- dashboard (editors) --------------------------------------------------------------


class DashboardForm(PeriodForm):
    """The period (``PeriodForm``) and whose referrals count: a segment of
    ``community.segments``, "all" when none is given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"] = forms.ChoiceField(
            label=_("Members"),
            choices=segments.choices(),
            required=False,
            error_messages={
                "invalid_choice": _(
                    "There is no segment called “%(value)s”; choose one from the list."
                )
            },
        )

    def clean_segment(self) -> str:
        return self.cleaned_data.get("segment") or "all"


def _members_csv(key: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        dashboard.members_csv(segments.members(key)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="members-{key}.csv"'
    return response


def dashboard_view(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    if refused := _only(request, "GET", "HEAD") or _forbidden(request, DASHBOARD, "editors"):
        return refused
    form = DashboardForm(request.GET or None)
    if not form.is_bound:
        form = DashboardForm({"period": month_of().key})
    if not form.is_valid():
        # Say what is wrong and show no figures: another period's numbers under this
        # address would be read as the ones asked for.
        return _render(request, "referrals/admin/dashboard.html", _dashboard_page(form), status=400)
    span = form.cleaned_data["span"]
    segment = form.cleaned_data["segment"]
    if request.GET.get("format") == "members":
        return _members_csv(segment)
    data = dashboard.report(span, None if segment == "all" else segments.members(segment))
    if request.GET.get("format") == "csv":
        return _dashboard_csv(data, span.key)
    page = _dashboard_page(form, data, segment, can_review=request.user.has_perm(REVIEW))
    return _render(request, "referrals/admin/dashboard.html", page)


def _dashboard_page(
    form: DashboardForm,
    data: dict[str, Any] | None = None,
    segment: str = "all",
    *,
    can_review: bool = False,
) -> dict[str, Any]:
    """The dashboard's context: the form alone (``span`` None, no figures) without
    ``data``, else the report with the chart's measures."""
    page = {
        "form": form,
        "current": month_of(),
        "max_range_days": dashboard.MAX_RANGE_DAYS,
        "segment_choices": segments.choices(),
        "segment": segment,
    }
    if data is None:
        return {**page, "span": None}
    return {
        **data,
        **page,
        "chart_width": dashboard.CHART_WIDTH,
        "label_width": dashboard.FUNNEL_LABEL_WIDTH,
        "bar_height": dashboard.FUNNEL_BAR_HEIGHT,
        "daily_height": dashboard.DAILY_HEIGHT,
        "daily_plot": dashboard.DAILY_HEIGHT - dashboard.DAILY_AXIS,
        "can_review": can_review,
        "segment_info": segments.get(segment),
    }


def _dashboard_csv(data: dict[str, Any], key: str) -> HttpResponse:
    response = HttpResponse(dashboard.as_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="referral-dashboard-{key}.csv"'
    return response


# --- thank-you tasks (editors) ------------------------------------------------------------


def thank_you_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if refused := _only(request, "GET", "HEAD") or _forbidden(request, THANK, "editors"):
        return refused
    page = Paginator(
        ThankYouTask.objects.select_related("member", "award", "sent_by"), 50
    ).get_page(request.GET.get("page"))
    return _render(request, "referrals/admin/thank_you_list.html", {"page": page})


def thank_you(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if refused := _only(request, "GET", "HEAD", "POST") or _forbidden(request, THANK, "editors"):
        return refused
    task = get_object_or_404(
        ThankYouTask.objects.select_related("member", "award", "sent_by"), pk=pk
    )
    form = ThankYouForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _sent(request, task, form):
        return redirect("referrals_admin:thank_you_list")
    return _render(
        request,
        "referrals/admin/thank_you.html",
        _thank_you_page(task, form),
        status=400 if request.method == "POST" else 200,
    )


def _sent(request: AuthenticatedHttpRequest, task: ThankYouTask, form: ThankYouForm) -> bool:
    """Send the thank-you the valid form carries; False with the refusal on the form."""
    try:
        awards.send_thank_you(task=task, editor=request.user, message=form.cleaned_data["message"])
    except actions.ReferralError as error:
        add_to_form(form, error)
        return False
    messages.success(
        request, _("Your thank-you is on its way to %(name)s.") % {"name": task.member.name}
    )
    return True


def _thank_you_page(task: ThankYouTask, form: ThankYouForm) -> dict[str, Any]:
    """The task with what the editor thanks the member for: badges, referrals, awards."""
    member = task.member
    return {
        "task": task,
        "form": form,
        "member": member,
        "badges": MemberBadge.objects.filter(member=member),
        "all_time": ReferralScore.objects.filter(member=member, period=ALL_TIME)
        .values_list("converted", flat=True)
        .first()
        or 0,
        "awards": Award.objects.filter(member=member).order_by("-period")[:6],
        "list_url": reverse("referrals_admin:thank_you_list"),
    }
