"""The referral hub's part of a member's record for moderators
(community.moderation.record): referrals made, the one that brought them, and the accounts
that share their sign-up browser key or a network with them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from community.models import User
from community.moderation.record import RecordSection, register
from referrals.models import MemberNetwork, Referral, SignUp

LINKED_MAX = 50


def linked_accounts(member: User) -> dict[str, list[User]]:
    """Other accounts from the same browser (sign-up cookie key) or the same network."""
    signup = SignUp.objects.filter(member=member).first()
    same_browser: list[User] = []
    if signup is not None and signup.browser:
        same_browser = list(
            User.objects.filter(referral_signup__browser=signup.browser)
            .exclude(pk=member.pk)
            .order_by("username")[:LINKED_MAX]
        )
    hashes = set(MemberNetwork.objects.filter(member=member).values_list("network_hash", flat=True))
    if signup is not None and signup.network_hash:
        hashes.add(signup.network_hash)
    same_network: list[User] = []
    if hashes:
        same_network = list(
            User.objects.filter(
                Q(referral_signup__network_hash__in=hashes)
                | Q(
                    pk__in=MemberNetwork.objects.filter(network_hash__in=hashes).values("member_id")
                )
            )
            .exclude(pk=member.pk)
            .distinct()
            .order_by("username")[:LINKED_MAX]
        )
    return {"same_browser": same_browser, "same_network": same_network}


def _data(member: User) -> dict[str, Any]:
    return {
        "referrals_made": Referral.objects.filter(referrer=member)
        .select_related("referee")
        .order_by("-created_at")[:50],
        "referral_held": Referral.objects.filter(referee=member).select_related("referrer").first(),
        **linked_accounts(member),
    }


def register_section() -> None:
    register(RecordSection("referrals", "referrals/admin/_member_record.html", _data, order=20))
