"""The survey on the site: answer from the card, set it aside, then say why; and the
doors of the survey email (the signed score links, their reason form, unsubscribing)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hearth.http import AuthenticatedHttpRequest
from hearth.rules import add_to_form, flash
from referrals.actions import get_or_create_link

from . import actions, by_email, suggestions
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
    request: HttpRequest,
    answer: SurveyAnswer,
    form: ReasonForm,
    *,
    status: int = 200,
    reason_action: str = "",
    already: bool = False,
) -> TemplateResponse:
    link = suggestion = suggestion_link = None
    # Only the member themselves, signed in, is shown their invite link.
    if answer.group == PROMOTER and request.user.pk == answer.member_id:
        link = get_or_create_link(owner=answer.member)
        if link.is_disabled:
            link = None
        else:
            suggestion = suggestions.for_member(answer.member)
        if suggestion is not None:
            suggestion_link = get_or_create_link(
                owner=answer.member, target_path=suggestion.path, target_title=suggestion.title
            )
            if suggestion_link.is_disabled:
                suggestion = suggestion_link = None
    return TemplateResponse(
        request,
        "survey/thanks.html",
        {
            "answer": answer,
            "form": form,
            "link": link,
            "suggestion": suggestion,
            "suggestion_link": suggestion_link,
            "reason_action": reason_action,
            "already": already,
        },
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


# --- the survey email's links (no sign-in: the signed token is the key) -------------------


def _link_problem(request: HttpRequest, status: int, reason: str = "") -> TemplateResponse:
    return TemplateResponse(
        request, "survey/link_problem.html", {"status": status, "reason": reason}, status=status
    )


def _read_token(request: HttpRequest, token: str) -> by_email.AnswerToken | TemplateResponse:
    try:
        found = by_email.read_answer_token(token)
    except by_email.LinkExpired:
        return _link_problem(request, 410)
    except by_email.LinkInvalid:
        return _link_problem(request, 400)
    if request.user.is_authenticated and request.user.pk != found.member_id:
        # Someone else is signed in on this browser: the link belongs to another member.
        return _link_problem(request, 403)
    return found


@require_GET
def email_answer(request: HttpRequest, token: str) -> HttpResponse:
    """A score link: record the score (once per email), then ask why."""
    found = _read_token(request, token)
    if isinstance(found, TemplateResponse):
        return found
    try:
        result = by_email.answer_by_email(token=found)
    except by_email.LinkInvalid:
        return _link_problem(request, 400)
    except actions.SurveyError as error:
        return _link_problem(request, 403, error.message)
    answer = result.answer
    return _thanks(
        request,
        answer,
        ReasonForm(initial={"reason": answer.reason}),
        reason_action=reverse("survey:email-reason", kwargs={"token": token}),
        already=not result.created,
    )


@require_POST
def email_reason(request: HttpRequest, token: str) -> HttpResponse:
    found = _read_token(request, token)
    if isinstance(found, TemplateResponse):
        return found
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            by_email.add_reason_by_email(token=found, reason=form.cleaned_data["reason"])
        except by_email.LinkInvalid:
            return _link_problem(request, 400)
        except actions.SurveyError as error:
            add_to_form(form, error, "reason")
        else:
            messages.success(request, "Thank you: the team reads every answer.")
            return redirect("survey:email-answer", token=token)
    answer = SurveyAnswer.objects.filter(
        survey_email__pk=found.round_id, member_id=found.member_id
    ).first()
    if answer is None:
        return _link_problem(request, 400)
    reason_action = reverse("survey:email-reason", kwargs={"token": token})
    return _thanks(request, answer, form, status=400, reason_action=reason_action)


# A mail client's one-click unsubscribe (RFC 8058) posts without a CSRF token; the signed
# token in the address is what proves the request, and all it can do is stop emails.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        member_id = by_email.read_unsubscribe_token(token)
    except by_email.LinkInvalid:
        return _link_problem(request, 400)
    done = False
    if request.method == "POST":
        try:
            by_email.turn_emails_off(member_id=member_id)
        except by_email.LinkInvalid:
            return _link_problem(request, 400)
        done = True
    return TemplateResponse(request, "survey/unsubscribe.html", {"done": done})
