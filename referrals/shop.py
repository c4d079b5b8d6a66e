"""Purchases reported by the brand's shop (the webhook in referrals/api.py calls this).

A purchase finds its member through a *verified* email address only: an address nobody
confirmed could be anyone's (a sign-up that never confirms, a second address added to a
referee's account), so it converts nothing and the shop is told why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction

from community.models import User
from hearth.rules import RuleError
from referrals import attribution
from referrals.actions import convert_referral
from referrals.models import ConversionVia, Purchase, Referral, ReferralLink, Stage, Status


@dataclass
class PurchaseResult:
    purchase: Purchase
    created: bool


class UnverifiedEmail(RuleError):
    """The customer's address belongs to an account but nobody confirmed it."""


def _member_for_email(email: str) -> User | None:
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .order_by("-primary")
        .select_related("user")
        .first()
    )
    if address is not None:
        return address.user
    unconfirmed = EmailAddress.objects.filter(email__iexact=email).exists()
    if unconfirmed or User.objects.filter(email__iexact=email).exists():
        raise UnverifiedEmail(
            "This email address is not verified on the site, so the purchase cannot be "
            "matched to a member. Nothing was recorded; send it again once the customer "
            "has confirmed their address.",
            code="unverified_email",
        )
    return None


@transaction.atomic
def record_purchase(
    *,
    order_id: str,
    email: str,
    referral_code: str,
    amount: Decimal,
    currency: str,
    occurred_at: datetime,
) -> PurchaseResult:
    """A purchase reported by the shop; once per order id, whoever calls twice.

    Raises :class:`UnverifiedEmail` (nothing recorded) when ``email`` belongs to an
    account only through an address nobody confirmed.
    """
    existing = Purchase.objects.filter(order_id=order_id).first()
    if existing is not None:
        return PurchaseResult(existing, created=False)
    member = _member_for_email(email) if email else None
    try:
        with transaction.atomic():
            purchase = Purchase.objects.create(
                order_id=order_id,
                amount=amount,
                currency=currency,
                occurred_at=occurred_at,
                email_hash=attribution.email_hash(email) if email else "",
                outcome=Purchase.Outcome.NO_REFERRAL,
            )
    except IntegrityError:
        return PurchaseResult(Purchase.objects.get(order_id=order_id), created=False)
    referral = None
    if member is not None:
        referral = Referral.objects.filter(referee=member).first()
    if referral is not None:
        purchase.referral = referral
        if convert_referral(
            referral=referral,
            via=ConversionVia.PURCHASE,
            object_key=f"shop.order:{order_id}",
            detail={"order_id": order_id},
        ):
            referral.refresh_from_db(fields=["stage", "status"])
            purchase.outcome = Purchase.Outcome.CONVERTED
        else:
            referral.refresh_from_db(fields=["stage", "status"])
            counting = referral.status in (Status.COUNTING, Status.HELD)
            if counting and referral.stage == Stage.CONVERTED:
                purchase.outcome = Purchase.Outcome.ALREADY_CONVERTED
            elif counting and referral.stage < Stage.JOINED:
                purchase.outcome = Purchase.Outcome.NOT_JOINED
            else:
                purchase.outcome = Purchase.Outcome.NOT_COUNTED
    elif referral_code:
        code = attribution.normalise_code(referral_code)
        purchase.link = ReferralLink.objects.filter(code=code).first() if code else None
        if purchase.link is not None:
            purchase.outcome = Purchase.Outcome.LINK_ONLY
    purchase.save(update_fields=["referral", "link", "outcome"])
    return PurchaseResult(purchase, created=True)
