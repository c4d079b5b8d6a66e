"""The member's own penalty page: what happened, the rule, when it ends, and the appeal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.moderation import actions
from community.moderation.forms import AppealForm
from community.moderation.models import Appeal, Penalty
from hearth.rules import add_to_form, flash


def _get_penalty_for_member(request: HttpRequest, pk: int, token: str) -> Penalty:
    """The signed-in member's own penalty, or (signed out: a suspended member is) the one
    its signed link opens."""
    # Someone else's penalty is a 404, not a 403: its existence is nobody else's business.
    penalty = Penalty.objects.select_related("canned_reason", "member").filter(pk=pk).first()
    if penalty is None:
        raise Http404("No such penalty.")
    if request.user.is_authenticated:
        if penalty.member_id != request.user.pk:
            raise Http404("No such penalty.")
    elif not actions.link_opens(penalty, token):
        raise Http404("No such penalty.")
    return penalty


@require_http_methods(["GET", "POST"])
def penalty(request: HttpRequest, pk: int) -> HttpResponse:
    token = request.GET.get("token", "")
    if not request.user.is_authenticated and not token:
        return redirect_to_login(request.get_full_path())
    penalty = _get_penalty_for_member(request, pk, token)
    # The page's own address (with its token), so a signed-out member stays on it.
    here = request.get_full_path()
    existing = Appeal.objects.filter(penalty=penalty).first()
    refusal = actions.why_not_appeal(penalty, appealed=existing is not None)
    form = None if refusal else AppealForm(request.POST or None)
    if request.method == "POST":
        if refusal is not None:
            flash(request, refusal)
            return redirect(here)
        if _appeal_sent(form, penalty):
            messages.success(
                request, _("Your appeal is sent. A moderator will reply here and by email.")
            )
            return redirect(here)
    suspended = penalty.kind == Penalty.Kind.SUSPEND and penalty.is_active
    context = {"penalty": penalty, "appeal": existing, "form": form, "suspended": suspended}
    return render(request, "moderation/penalty.html", context)


def _appeal_sent(form: AppealForm | None, penalty: Penalty) -> bool:
    if form is None or not form.is_valid():
        return False
    try:
        actions.appeal(penalty=penalty, member=penalty.member, text=form.cleaned_data["text"])
    except actions.PenaltyError as error:
        add_to_form(form, error, "text")
        return False
    return True
