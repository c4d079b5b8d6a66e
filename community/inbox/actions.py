"""Inbox verbs: list what waits, claim and release, decide one item or several.

The inbox knows no app by name: it talks to the sources registered in community.review.
Each decision runs in its own transaction and the source checks it against the current
state, so in a bulk decision one stale item never undoes the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.models import MODERATORS_GROUP, User
from community.review import ReviewItem, ReviewSource, StaleItem, source, sources
from hearth.rules import RuleError

from .models import ReviewClaim


class InboxError(RuleError):
    """The inbox said no; the message is for the moderator."""


def require_moderator(user: User) -> None:
    if not (user.is_authenticated and user.is_moderator):
        raise PermissionDenied(_("Only moderators can work the review inbox."))


def moderators() -> list[User]:
    """Every active moderator (members of the Moderators group, and superusers)."""
    return list(
        User.objects.filter(Q(groups__name=MODERATORS_GROUP) | Q(is_superuser=True))
        .filter(is_active=True)
        .distinct()
    )


# --- reading ---------------------------------------------------------------------------


def split_ref(ref: str) -> tuple[str, str]:
    kind, _, key = (ref or "").partition(":")
    return kind, key


def source_for(kind: str) -> ReviewSource:
    found = source(kind)
    if found is None:
        raise InboxError(_("The inbox has no such kind of item."), code="invalid")
    return found


def pending_items(kind: str = "") -> list[ReviewItem]:
    """What waits, newest first, from one source or all of them."""
    chosen = [source_for(kind)] if kind else sources()
    items = [item for s in chosen for item in s.pending()]
    items.sort(key=lambda item: item.created_at, reverse=True)
    return items


def pending_count() -> int:
    return sum(s.count() for s in sources())


def find_item(ref: str) -> ReviewItem:
    """The item as it waits now; StaleItem when it no longer does."""
    kind, key = split_ref(ref)
    for item in source_for(kind).pending():
        if item.key == key:
            return item
    raise StaleItem(_("This item was already decided; nothing was changed."))


def title_of(ref: str) -> str:
    """The waiting item's one-line title, or "" when it no longer waits."""
    kind, key = split_ref(ref)
    found = source(kind)
    if found is None:
        return ""
    return next((item.title for item in found.pending() if item.key == key), "")


def claims_for(items: list[ReviewItem]) -> dict[str, ReviewClaim]:
    """The claims that still count, by item ref (one query)."""
    if not items:
        return {}
    by_ref = {item.ref: item for item in items}
    wanted = Q()
    for kind in {item.kind for item in items}:
        wanted |= Q(kind=kind, key__in=[i.key for i in items if i.kind == kind])
    claims = ReviewClaim.objects.filter(wanted).select_related("moderator")
    return {
        claim.ref: claim for claim in claims if claim.claimed_at >= by_ref[claim.ref].created_at
    }


# --- claims ----------------------------------------------------------------------------


def _claimed_by_someone_else(claim: ReviewClaim) -> InboxError:
    when = timezone.localtime(claim.claimed_at)
    return InboxError(
        _("%(name)s claimed this item at %(time)s on %(date)s; it is still theirs.")
        % {
            "name": claim.moderator.name,
            "time": date_format(when, "H:i"),
            "date": date_format(when, "j F"),
        },
        code="claimed",
    )


@transaction.atomic
def claim_item(*, ref: str, moderator: User) -> ReviewClaim:
    """Claim a waiting item. Someone else's claim stands (they are told nothing changed);
    a claim from an earlier round of the same item is replaced."""
    require_moderator(moderator)
    item = find_item(ref)
    try:
        with transaction.atomic():
            claim, created = ReviewClaim.objects.get_or_create(
                kind=item.kind, key=item.key, defaults={"moderator": moderator}
            )
    except IntegrityError:  # claimed by another moderator at the same instant
        claim, created = ReviewClaim.objects.get(kind=item.kind, key=item.key), False
    if created:
        return claim
    claim = ReviewClaim.objects.select_for_update().select_related("moderator").get(pk=claim.pk)
    if claim.moderator_id == moderator.pk:
        return claim
    if claim.claimed_at >= item.created_at:
        raise _claimed_by_someone_else(claim)
    claim.moderator = moderator
    claim.claimed_at = timezone.now()
    claim.save(update_fields=["moderator", "claimed_at"])
    return claim


@transaction.atomic
def release_item(*, ref: str, moderator: User) -> None:
    """Give back one's own claim; someone else's stays theirs."""
    require_moderator(moderator)
    kind, key = split_ref(ref)
    claim = (
        ReviewClaim.objects.select_for_update()
        .select_related("moderator")
        .filter(kind=kind, key=key)
        .first()
    )
    if claim is None:
        return
    if claim.moderator_id != moderator.pk:
        raise _claimed_by_someone_else(claim)
    claim.delete()


# --- decisions ---------------------------------------------------------------------------


@transaction.atomic
def decide_item(*, ref: str, decision: str, moderator: User, reason: str = "") -> str:
    """Apply one decision through the item's source; return its message for the moderator.

    Raises StaleItem when the item was decided meanwhile (nothing changes), RuleError when
    the decision does not fit. The item's claim, whoever held it, ends with the decision.
    """
    require_moderator(moderator)
    kind, key = split_ref(ref)
    found = source_for(kind)
    offered = {d.name: d for d in found.decisions}
    if decision not in offered:
        raise InboxError(
            _("%(kind)s cannot be decided that way; choose one of: %(decisions)s.")
            % {
                "kind": found.label,
                "decisions": ", ".join(str(d.label).lower() for d in found.decisions),
            },
            code="invalid",
        )
    reason = (reason or "").strip()
    if offered[decision].needs_reason and not reason:
        raise InboxError(
            _("“%(decision)s” needs a reason; the member will read it.")
            % {"decision": offered[decision].label},
            code="reason",
        )
    message = found.decide(key=key, decision=decision, moderator=moderator, reason=reason)
    ReviewClaim.objects.filter(kind=kind, key=key).delete()
    return message


@dataclass
class BulkResult:
    decided: list[tuple[str, str]] = field(default_factory=list)  # (ref, message)
    stale: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def decide_many(*, refs: list[str], decision: str, moderator: User, reason: str = "") -> BulkResult:
    """The same decision for several items, each on its own: a stale or refused item is
    reported and the others still go through."""
    require_moderator(moderator)
    result = BulkResult()
    for ref in dict.fromkeys(refs):  # once each, in the order given
        try:
            message = decide_item(ref=ref, decision=decision, moderator=moderator, reason=reason)
        except StaleItem as error:
            result.stale.append((ref, error.message))
        except RuleError as error:
            result.refused.append((ref, error.message))
        else:
            result.decided.append((ref, message))
    return result


def bulk_decisions() -> dict[str, str]:
    """Every decision some source allows in bulk: name → label (with the kinds it fits)."""
    labels: dict[str, list[str]] = {}
    for s in sources():
        for d in s.decisions:
            if d.bulk:
                labels.setdefault(d.name, []).append(f"{d.label} ({s.label.lower()})")
    return {name: " / ".join(parts) for name, parts in labels.items()}


def needs_reason(decision: str) -> bool:
    return any(d.name == decision and d.needs_reason for s in sources() for d in s.decisions)
