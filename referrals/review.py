"""Held referrals as a source of the review inbox (community.review).

Deciding calls the referral verbs (``approve_referral`` / ``reject_referral``), which lock
the referral and check it is still held, so a decision from a stale page changes
nothing. Moderators hear of a new hold through a receiver on the referral's save: every
path that holds a referral (sign-up signals, a burst of conversions, whatever comes
next) sets ``held_at``, and the hub's verbs stay unaware of the inbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.models import User
from community.review import Decision, ReviewItem, ReviewSource, StaleItem, announce, register
from hearth.params import ParamError, parse_int
from hearth.rules import RuleError
from referrals import actions
from referrals.models import Referral, Stage, Status

APPROVE = "approve"
REJECT = "reject"


def _reasons(referral: Referral) -> str:
    return ", ".join(referral.hold_labels).capitalize() or _("No reason recorded")


class HeldReferrals(ReviewSource):
    kind = "referral"
    label = gettext_lazy("Held referrals")
    decisions = (
        Decision(APPROVE, gettext_lazy("Approve: it counts")),
        Decision(REJECT, gettext_lazy("Reject: it does not count"), needs_reason=True),
    )

    def pending(self) -> Iterable[ReviewItem]:
        for referral in Referral.objects.held().select_related("referrer", "referee"):
            yield ReviewItem(
                kind=self.kind,
                key=str(referral.pk),
                title=_("%(referee)s, referred by %(referrer)s")
                % {"referee": referral.referee.name, "referrer": referral.referrer.name},
                summary=_("Held: %(reasons)s.") % {"reasons": _reasons(referral).lower()},
                created_at=referral.held_at or referral.created_at,
                url=reverse("referrals_admin:review", args=[referral.pk]),
                member=referral.referrer,
                details={
                    # The staff's wording (what fired, what to check), not the referrer's.
                    _("Why it is held"): " ".join(referral.staff_explanations)
                    or _reasons(referral),
                    _("Stage"): Stage(referral.stage).label.capitalize(),
                    _("Referee"): f"{referral.referee.name} (@{referral.referee.username})",
                    _("Referrer"): f"{referral.referrer.name} (@{referral.referrer.username})",
                },
            )

    def count(self) -> int:
        return Referral.objects.held().count()

    def decide(self, *, key: str, decision: str, moderator: User, reason: str = "") -> str:
        if decision not in (APPROVE, REJECT):
            raise RuleError(_("Held referrals can be approved or rejected."), code="invalid")
        if decision == REJECT and not reason.strip():
            raise RuleError(
                _("Write a short note saying why; the member who made the referral will read it."),
                code="reason",
            )
        try:
            referral = Referral.objects.filter(pk=parse_int(key)).first()
        except ParamError:
            referral = None
        if referral is None:
            raise StaleItem(_("This referral no longer exists."))
        verb = actions.approve_referral if decision == APPROVE else actions.reject_referral
        try:
            referral = verb(referral=referral, moderator=moderator, note=reason)
        except actions.ReferralError as error:
            if error.code == "not_held":
                raise StaleItem(error.message) from None
            raise
        except PermissionDenied as error:
            raise RuleError(str(error) or _("Only moderators can do that.")) from None
        if decision == APPROVE:
            done = _("The referral of %(name)s is approved: it counts.")
        else:
            done = _("The referral of %(name)s is rejected: it does not count.")
        return done % {"name": referral.referee.name}


def _announce_hold(sender: Any, instance: Referral, created: bool, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    newly_held = created or (update_fields is not None and "held_at" in update_fields)
    if instance.status == Status.HELD and newly_held:
        announce(
            kind=HeldReferrals.kind,
            key=str(instance.pk),
            text=_("A referral of %(referee)s by %(referrer)s is held for review.")
            % {"referee": instance.referee.name, "referrer": instance.referrer.name},
        )


def register_source() -> None:
    register(HeldReferrals())
    post_save.connect(_announce_hold, sender=Referral, dispatch_uid="referrals.review.hold")
