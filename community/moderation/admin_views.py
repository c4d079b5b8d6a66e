"""Moderators' screens in the Wagtail admin: a member's record, one appeal, lifting.

Reached through the admin (``wagtailadmin.access_admin``), then checked here: moderators
only. Editors reach the admin too but get a 403 from every screen of this module; the
rules themselves (who decides an appeal, a typed reason to lift) live in actions.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.models import User
from community.moderation import actions, record
from community.moderation.forms import DecideAppealForm, LiftPenaltyForm, StaffNoteForm
from community.moderation.models import Appeal, Penalty, StaffNote
from hearth.http import AuthenticatedHttpRequest
from hearth.rules import RuleError, add_to_form, flash


def _require_moderator(request: AuthenticatedHttpRequest) -> None:
    if not (request.user.is_authenticated and request.user.is_moderator):
        raise PermissionDenied(_("Only moderators can open member records."))


def _get_member_for_moderator(request: AuthenticatedHttpRequest, pk: int) -> User:
    _require_moderator(request)
    return get_object_or_404(User, pk=pk)


@require_GET
def member_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_moderator(request)
    query = request.GET.get("q", "").strip()[:60]
    found: QuerySet[User] | list[User] = []
    if query:
        found = User.objects.filter(
            Q(username__icontains=query) | Q(display_name__icontains=query) | Q(email__iexact=query)
        ).order_by("username")[:50]
    return render(request, "moderation/admin/member_search.html", {"query": query, "found": found})


def _member_context(member: User) -> dict:
    return {
        "member": member,
        "penalties": Penalty.objects.filter(member=member)
        .select_related("moderator", "canned_reason", "lifted_by", "appeal", "appeal__decided_by")
        .order_by("-starts_at")[:50],
        "notes": StaffNote.objects.filter(member=member).select_related("author")[:50],
        "note_form": StaffNoteForm(),
        "lift_form": LiftPenaltyForm(),
        # Posts and flags, referrals and linked accounts: from the apps that keep them.
        "record_sections": record.sections_for(member),
    }


@require_GET
def member(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _get_member_for_moderator(request, pk)
    return render(request, "moderation/admin/member.html", _member_context(person))


@require_POST
def add_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _get_member_for_moderator(request, pk)
    form = StaffNoteForm(request.POST)
    if form.is_valid():
        try:
            actions.add_staff_note(
                member=person, author=request.user, text=form.cleaned_data["text"]
            )
        except RuleError as error:
            add_to_form(form, error, "text")
        else:
            messages.success(request, _("The note is saved."))
            return redirect("moderation_admin:member", pk=person.pk)
    context = _member_context(person) | {"note_form": form}
    return render(request, "moderation/admin/member.html", context, status=400)


@require_POST
def lift(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    penalty = get_object_or_404(Penalty.objects.select_related("member"), pk=pk)
    form = LiftPenaltyForm(request.POST)
    if not form.is_valid():
        flash(request, form)
    else:
        try:
            actions.lift_penalty(
                penalty=penalty, moderator=request.user, reason=form.cleaned_data["reason"]
            )
        except RuleError as error:
            flash(request, error)
        else:
            messages.success(
                request, _("Lifted; %(name)s has been told.") % {"name": penalty.member.name}
            )
    return redirect("moderation_admin:member", pk=penalty.member_id)


@require_GET
def appeal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_moderator(request)
    appeals = Appeal.objects.select_related(
        "penalty", "penalty__member", "penalty__moderator", "decided_by"
    ).order_by("decided_at", "-created_at")[:100]
    return render(request, "moderation/admin/appeal_list.html", {"appeals": appeals})


@require_http_methods(["GET", "POST"])
def appeal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    item = get_object_or_404(_APPEALS_FOR_REVIEW, pk=pk)
    form = DecideAppealForm(request.POST or None)
    if request.method == "POST" and _decided(form, item, request.user):
        messages.success(
            request, _("Decided; %(name)s has been told.") % {"name": item.penalty.member.name}
        )
        return redirect("moderation_admin:appeal", pk=item.pk)
    gave_it = item.penalty.moderator_id == request.user.pk
    return render(
        request,
        "moderation/admin/appeal.html",
        {"appeal": item, "penalty": item.penalty, "form": form, "gave_it": gave_it},
        status=400 if request.method == "POST" else 200,
    )


_APPEALS_FOR_REVIEW = Appeal.objects.select_related(
    "penalty", "penalty__member", "penalty__moderator", "penalty__canned_reason", "decided_by"
)


def _decided(form: DecideAppealForm, item: Appeal, moderator: User) -> bool:
    """Decide the appeal from a valid form; a refusal lands on the form."""
    if not form.is_valid():
        return False
    try:
        actions.decide_appeal(
            appeal=item,
            moderator=moderator,
            decision=form.cleaned_data["decision"],
            reply=form.cleaned_data["reply"],
            new_ends_at=form.new_end,
        )
    except RuleError as error:  # StaleItem included: someone else decided first
        add_to_form(form, error)
        item.refresh_from_db()
        return False
    return True
