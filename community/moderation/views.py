"""The member's own penalty page: what happened, the rule, when it ends, and the appeal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from community.moderation import actions
from community.moderation.forms import AppealForm
from community.moderation.models import Appeal, Penalty
from hearth.http import AuthenticatedHttpRequest
from hearth.rules import add_to_form


def _get_penalty_for_member(request: AuthenticatedHttpRequest, pk: int) -> Penalty:
    # Someone else's penalty is a 404, not a 403: its existence is nobody else's business.
    penalty = (
        Penalty.objects.select_related("canned_reason", "member")
        .filter(pk=pk, member=request.user)
        .first()
    )
    if penalty is None:
        raise Http404("No such penalty.")
    return penalty


@login_required
@require_http_methods(["GET", "POST"])
def penalty(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    penalty = _get_penalty_for_member(request, pk)
    existing = Appeal.objects.filter(penalty=penalty).first()
    form = None
    if existing is None and penalty.can_be_appealed:
        form = AppealForm(request.POST or None)
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                "You have already appealed this penalty."
                if existing
                else "This penalty can no longer be appealed.",
            )
            return redirect(penalty)
        if form.is_valid():
            try:
                actions.appeal(penalty=penalty, member=request.user, text=form.cleaned_data["text"])
            except actions.PenaltyError as error:
                add_to_form(form, error, "text")
            else:
                messages.success(
                    request, "Your appeal is sent. A moderator will reply here and by email."
                )
                return redirect(penalty)
    return render(
        request,
        "moderation/penalty.html",
        {"penalty": penalty, "appeal": existing, "form": form},
    )
