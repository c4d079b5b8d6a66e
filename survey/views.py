"""The survey on the site: answer from the card, set it aside, then say why."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from hearth.http import AuthenticatedHttpRequest
from hearth.rules import add_to_form, flash
from referrals.actions import get_or_create_link

from . import actions
from .forms import ReasonForm, ScoreForm
from .models import PROMOTER, SurveyAnswer


def _back(request: AuthenticatedHttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)


@login_required
@require_POST
def answer(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ScoreForm(request.POST)
    if not form.is_valid():
        flash(request, form)
        return _back(request)
    try:
        actions.answer_survey(member=request.user, score=form.cleaned_data["score"])
    except actions.SurveyError as error:
        flash(request, error)
        return _back(request)
    return redirect("survey:thanks")


@login_required
@require_POST
def dismiss(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        actions.dismiss_survey(member=request.user)
    except actions.SurveyError as error:
        flash(request, error)
    else:
        messages.info(request, "Fine: we will not ask again for a while.")
    return _back(request)


def _thanks(
    request: AuthenticatedHttpRequest, answer: SurveyAnswer, form: ReasonForm, *, status=200
) -> TemplateResponse:
    link = None
    if answer.group == PROMOTER:
        link = get_or_create_link(owner=request.user)
        if link.is_disabled:
            link = None
    return TemplateResponse(
        request,
        "survey/thanks.html",
        {"answer": answer, "form": form, "link": link},
        status=status,
    )


@login_required
@require_GET
def thanks(request: AuthenticatedHttpRequest) -> HttpResponse:
    answer = actions.latest_answer(request.user)
    if answer is None:
        messages.info(request, "There is no recent survey answer of yours to show.")
        return redirect("/")
    return _thanks(request, answer, ReasonForm(initial={"reason": answer.reason}))


@login_required
@require_POST
def reason(request: AuthenticatedHttpRequest) -> HttpResponse:
    answer = actions.latest_answer(request.user)
    if answer is None:
        messages.info(request, "There is no recent survey answer of yours to add a reason to.")
        return redirect("/")
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            actions.add_reason(member=request.user, reason=form.cleaned_data["reason"])
        except actions.SurveyError as error:
            add_to_form(form, error, "reason")
        else:
            messages.success(request, "Thank you: the team reads every answer.")
            return redirect("survey:thanks")
    return _thanks(request, answer, form, status=400)
