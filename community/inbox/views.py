"""The review inbox screens (Wagtail admin). Moderators only: anyone else raises
PermissionDenied, which Wagtail answers with its "no permission" redirect (staff) or the
admin sign-in (members)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from community.models import User
from community.review import Decision, ReviewItem, StaleItem, source, sources
from hearth.http import AuthenticatedHttpRequest
from hearth.rules import RuleError, flash

from . import actions
from .forms import BulkForm, ClaimForm, DecideForm
from .models import ReviewClaim

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PER_PAGE = 50


@dataclass
class Row:
    item: ReviewItem
    label: StrOrPromise  # the source's label, e.g. "Flagged posts"
    decisions: tuple[Decision, ...]
    claim: ReviewClaim | None
    mine: bool

    @property
    def dom_id(self) -> str:
        return "item-" + self.item.ref.replace(":", "-")


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """To the inbox, with the filter the moderator was using."""
    kind = request.POST.get("filter", "")
    url = reverse("inbox:index")
    if kind and source(kind) is not None:
        url += "?" + urlencode({"kind": kind})
    return HttpResponseRedirect(url)


@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    actions.require_moderator(request.user)
    kind = request.GET.get("kind", "")
    if kind and source(kind) is None:
        messages.error(request, _("There is no such kind of item; showing everything."))
        kind = ""
    return TemplateResponse(request, "inbox/index.html", _index_page(request, kind))


def _index_page(request: AuthenticatedHttpRequest, kind: str) -> dict[str, object]:
    """One page of what waits (of ``kind``, or everything), with the count of each kind."""
    kinds = [(s.kind, s.label, s.count()) for s in sources()]
    page = Paginator(actions.pending_items(kind), PER_PAGE).get_page(request.GET.get("page"))
    total = sum(count for _, _, count in kinds)
    return {
        "rows": _rows(list(page.object_list), request.user),
        "page": page,
        "kind": kind,
        "kinds": kinds,
        "total": total,
        "waiting": ngettext(
            "%(count)d item waits for a moderator.",
            "%(count)d items wait for a moderator.",
            total,
        )
        % {"count": total},
        "bulk_form": BulkForm(decisions=actions.bulk_decisions()),
    }


def _rows(items: list[ReviewItem], moderator: User) -> list[Row]:
    """Each item with its source's label and decisions, and who claimed it."""
    claims = actions.claims_for(items)
    rows = []
    for item in items:
        item_source = source(item.kind)
        assert item_source is not None
        claim = claims.get(item.ref)
        rows.append(
            Row(
                item=item,
                label=item_source.label,
                decisions=item_source.decisions,
                claim=claim,
                mine=claim is not None and claim.moderator_id == moderator.pk,
            )
        )
    return rows


@require_POST
def decide(request: AuthenticatedHttpRequest) -> HttpResponse:
    actions.require_moderator(request.user)
    form = DecideForm(request.POST)
    if not form.is_valid():
        flash(request, form)
        return _back(request)
    data = form.cleaned_data
    title = actions.title_of(data["ref"])  # said with the result: the card is gone after
    try:
        message = actions.decide_item(
            ref=data["ref"],
            decision=data["decision"],
            moderator=request.user,
            reason=data["reason"],
        )
    except StaleItem as error:
        messages.warning(request, error.message)
    except RuleError as error:
        flash(request, error)
    else:
        messages.success(request, f"{title}: {message}" if title else message)
    return _back(request)


@require_POST
def claim(request: AuthenticatedHttpRequest) -> HttpResponse:
    actions.require_moderator(request.user)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        flash(request, form)
        return _back(request)
    ref, action = form.cleaned_data["ref"], form.cleaned_data["action"]
    try:
        if action == "claim":
            actions.claim_item(ref=ref, moderator=request.user)
        else:
            actions.release_item(ref=ref, moderator=request.user)
    except StaleItem as error:
        messages.warning(request, error.message)
    except RuleError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("You claimed the item: other moderators see it is yours.")
            if action == "claim"
            else _("You released the item."),
        )
    return _back(request)


@require_POST
def bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    actions.require_moderator(request.user)
    form = BulkForm(request.POST, decisions=actions.bulk_decisions())
    if not form.is_valid():
        flash(request, form)
        return _back(request)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"].strip()
    if actions.needs_reason(decision) and not reason:
        messages.error(request, _("That decision needs a reason; the members concerned read it."))
        return _back(request)
    titles = {item.ref: item.title for item in actions.pending_items()}
    result = actions.decide_many(
        refs=form.cleaned_data["items"], decision=decision, moderator=request.user, reason=reason
    )
    context = {**_bulk_outcome(result, titles), "back": _back(request).url}
    return TemplateResponse(request, "inbox/bulk_result.html", context)


def _bulk_outcome(result: actions.BulkResult, titles: dict[str, str]) -> dict[str, object]:
    """One summary line of a bulk decision, then each item by its title and what happened."""

    def named(outcomes: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(titles.get(ref, ref), message) for ref, message in outcomes]

    parts = [
        ngettext("%(count)d decided", "%(count)d decided", len(result.decided))
        % {"count": len(result.decided)}
    ]
    if result.stale:
        parts.append(
            ngettext(
                "%(count)d already decided by someone else",
                "%(count)d already decided by someone else",
                len(result.stale),
            )
            % {"count": len(result.stale)}
        )
    if result.refused:
        parts.append(
            ngettext(
                "%(count)d could not be decided",
                "%(count)d could not be decided",
                len(result.refused),
            )
            % {"count": len(result.refused)}
        )
    return {
        "summary": ", ".join(parts) + ".",
        "decided": named(result.decided),
        "stale": named(result.stale),
        "refused": named(result.refused),
    }
