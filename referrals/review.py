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

from community.models import User
from community.review import Decision, ReviewItem, ReviewSource, StaleItem, announce, register
from hearth.params import ParamError, parse_int
from hearth.rules import RuleError
from referrals import actions
from referrals.models import Referral, Stage, Status

APPROVE = "approve"
REJECT = "reject"


def _reasons(referral: Referral) -> str:
    return ", ".join(referral.hold_labels).capitalize() or "No reason recorded"


class HeldReferrals(ReviewSource):
    kind = "referral"
    label = "Held referrals"
    decisions = (
        Decision(APPROVE, "Approve: it counts"),
        Decision(REJECT, "Reject: it does not count", needs_reason=True),
    )

    def pending(self) -> Iterable[ReviewItem]:
        for referral in Referral.objects.held().select_related("referrer", "referee"):
            yield ReviewItem(
                kind=self.kind,
                key=str(referral.pk),
                title=f"{referral.referee.name}, referred by {referral.referrer.name}",
                summary=f"Held: {_reasons(referral).lower()}.",
                created_at=referral.held_at or referral.created_at,
                url=reverse("referrals_admin:review", args=[referral.pk]),
                member=referral.referrer,
                details={
                    # The staff's wording (what fired, what to check), not the referrer's.
                    "Why it is held": " ".join(referral.staff_explanations) or _reasons(referral),
                    "Stage": Stage(referral.stage).label.capitalize(),
                    "Referee": f"{referral.referee.name} (@{referral.referee.username})",
                    "Referrer": f"{referral.referrer.name} (@{referral.referrer.username})",
                },
            )

    def count(self) -> int:
        return Referral.objects.held().count()

    def decide(self, *, key: str, decision: str, moderator: User, reason: str = "") -> str:
        if decision not in (APPROVE, REJECT):
            raise RuleError("Held referrals can be approved or rejected.", code="invalid")
        if decision == REJECT and not reason.strip():
            raise RuleError(
                "Write a short note saying why; the member who made the referral will read it.",
                code="reason",
            )
        try:
            referral = Referral.objects.filter(pk=parse_int(key)).first()
        except ParamError:
            referral = None
        if referral is None:
            raise StaleItem("This referral no longer exists.")
        verb = actions.approve_referral if decision == APPROVE else actions.reject_referral
        try:
            referral = verb(referral=referral, moderator=moderator, note=reason)
        except actions.ReferralError as error:
            if error.code == "not_held":
                raise StaleItem(error.message) from None
            raise
        except PermissionDenied as error:
            raise RuleError(str(error) or "Only moderators can do that.") from None
        done = "approved: it counts" if decision == APPROVE else "rejected: it does not count"
        return f"The referral of {referral.referee.name} is {done}."


def _announce_hold(sender: Any, instance: Referral, created: bool, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    newly_held = created or (update_fields is not None and "held_at" in update_fields)
    if instance.status == Status.HELD and newly_held:
        announce(
            kind=HeldReferrals.kind,
            key=str(instance.pk),
            text=f"A referral of {instance.referee.name} by {instance.referrer.name} is held "
            "for review.",
        )


def register_source() -> None:
    register(HeldReferrals())
    post_save.connect(_announce_hold, sender=Referral, dispatch_uid="referrals.review.hold")
