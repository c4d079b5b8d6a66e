"""Fraud signals. They only ever *hold* a referral for a moderator, never reject it.

Each check returns True when its signal fires; :func:`signup_signals` gathers the
sign-up checks and :func:`is_conversion_burst` is asked when a referral converts.
"""

from __future__ import annotations

from datetime import timedelta

from disposable_email_domains import blocklist
from django.conf import settings
from django.utils import timezone

from community.models import User
from referrals.models import HoldReason, MemberNetwork, Referral, SignUp, Stage

BUSY_NETWORK_LIMIT = 3  # more than this many sign-ups from one network in a day
BUSY_NETWORK_WINDOW = timedelta(hours=24)
BURST_WINDOW = timedelta(hours=1)
CHAIN_DEPTH = 25  # how far up a referral chain the cycle check looks


def is_disposable_email(email: str) -> bool:
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    if not domain:
        return False
    parts = domain.split(".")
    # mail.mailinator.com is as disposable as mailinator.com
    return any(".".join(parts[i:]) in blocklist for i in range(len(parts) - 1))


def referrer_networks(referrer: User) -> set[str]:
    networks = set(
        MemberNetwork.objects.filter(member=referrer).values_list("network_hash", flat=True)
    )
    signup = SignUp.objects.filter(member=referrer).values_list("network_hash", flat=True).first()
    if signup:
        networks.add(signup)
    networks.discard("")
    return networks


def is_busy_network(network: str, *, now=None) -> bool:
    if not network:
        return False
    now = now or timezone.now()
    recent = SignUp.objects.filter(
        network_hash=network, created_at__gt=now - BUSY_NETWORK_WINDOW
    ).count()
    return recent > BUSY_NETWORK_LIMIT


def _referrer_of(member_id: int) -> int | None:
    return (
        Referral.objects.filter(referee_id=member_id).values_list("referrer_id", flat=True).first()
    )


def referral_chain(referrer: User) -> list[int]:
    """The referrer, the member who referred them, and so on up the chain (ids)."""
    chain = [referrer.pk]
    seen = {referrer.pk}
    current = referrer.pk
    for _ in range(CHAIN_DEPTH):
        above = _referrer_of(current)
        if above is None or above in seen:
            break
        chain.append(above)
        seen.add(above)
        current = above
    return chain


def is_cycle(*, referrer: User, referee: User, network: str, browser: str) -> bool:
    """A ring: the referee is, or looks like, someone further up the referrer's chain.

    Literally (B referred A after A referred B) or through a second account: the
    referee signs up from the network or the browser of a member two or more steps up
    (one step up is the referrer, whose network is its own signal).
    """
    chain = referral_chain(referrer)
    if referee.pk in chain:
        return True
    ancestors = chain[1:]
    if not ancestors:
        return False
    if browser and SignUp.objects.filter(member_id__in=chain, browser=browser).exists():
        return True
    if network:
        if SignUp.objects.filter(member_id__in=ancestors, network_hash=network).exists():
            return True
        if MemberNetwork.objects.filter(member_id__in=ancestors, network_hash=network).exists():
            return True
    return False


def signup_signals(
    *, referrer: User, referee: User, network: str, browser: str, now=None
) -> list[str]:
    reasons = []
    if network and network in referrer_networks(referrer):
        reasons.append(HoldReason.SAME_NETWORK.value)
    if is_busy_network(network, now=now):
        reasons.append(HoldReason.BUSY_NETWORK.value)
    if is_disposable_email(referee.email or ""):
        reasons.append(HoldReason.DISPOSABLE_EMAIL.value)
    if is_cycle(referrer=referrer, referee=referee, network=network, browser=browser):
        reasons.append(HoldReason.CYCLE.value)
    return reasons


def is_conversion_burst(referral: Referral, *, now=None) -> bool:
    """More than REFERRAL_BURST_LIMIT of one referrer's referrals converted within an hour."""
    now = now or timezone.now()
    recent = (
        Referral.objects.filter(
            referrer_id=referral.referrer_id,
            stage=Stage.CONVERTED,
            converted_at__gt=now - BURST_WINDOW,
        )
        .exclude(pk=referral.pk)
        .count()
    )
    return recent + 1 > settings.REFERRAL_BURST_LIMIT
