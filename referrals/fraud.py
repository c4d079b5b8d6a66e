"""Fraud signals. They only ever *hold* a referral for a moderator, never reject it.

Each check returns True when its signal fires; :func:`signup_signals` gathers the
sign-up checks (with the numbers a moderator reads) and :func:`is_conversion_burst` is
asked when a referral converts. :func:`reaction_counts` is the one rule for whether a
reaction may earn its receiver a point or convert a referral.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from disposable_email_domains import blocklist
from django.conf import settings
from django.utils import timezone

from community import trust
from community.models import User
from referrals.models import (
    HoldReason,
    Invite,
    MemberNetwork,
    Referral,
    SignUp,
    Stage,
    Status,
)

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


def other_signups_in_browser(*, browser: str, member: User) -> int:
    """How many other accounts signed up in this browser (its visit-cookie key)."""
    if not browser:
        return 0
    return SignUp.objects.filter(browser=browser).exclude(member=member).count()


def recent_referrals_of(referrer: User, *, now=None) -> int:
    """Sign-ups credited to ``referrer`` (any of their links or invites) in the window."""
    now = now or timezone.now()
    return Referral.objects.filter(
        referrer=referrer, created_at__gt=now - settings.REFERRAL_SIGNUP_BURST_WINDOW
    ).count()


def signup_signals_with_details(
    *, referrer: User, referee: User, network: str, browser: str, now=None
) -> tuple[list[str], dict[str, dict[str, int]]]:
    """The sign-up signals that fire, and the numbers behind them (for moderators)."""
    now = now or timezone.now()
    reasons = []
    details: dict[str, dict[str, int]] = {}
    if network and network in referrer_networks(referrer):
        reasons.append(HoldReason.SAME_NETWORK.value)
    if is_busy_network(network, now=now):
        reasons.append(HoldReason.BUSY_NETWORK.value)
        details[HoldReason.BUSY_NETWORK.value] = {
            "signups": SignUp.objects.filter(
                network_hash=network, created_at__gt=now - BUSY_NETWORK_WINDOW
            ).count()
        }
    if is_disposable_email(referee.email or ""):
        reasons.append(HoldReason.DISPOSABLE_EMAIL.value)
    if is_cycle(referrer=referrer, referee=referee, network=network, browser=browser):
        reasons.append(HoldReason.CYCLE.value)
    others = other_signups_in_browser(browser=browser, member=referee)
    if others >= settings.REFERRAL_SIGNUPS_PER_BROWSER:
        reasons.append(HoldReason.SAME_BROWSER.value)
        details[HoldReason.SAME_BROWSER.value] = {"accounts": others}
    # This sign-up is not a referral yet: the earlier ones plus this one.
    signups = recent_referrals_of(referrer, now=now) + 1
    if signups > settings.REFERRAL_SIGNUP_BURST_LIMIT:
        reasons.append(HoldReason.SIGNUP_BURST.value)
        window = settings.REFERRAL_SIGNUP_BURST_WINDOW
        details[HoldReason.SIGNUP_BURST.value] = {
            "signups": signups,
            "minutes": int(window.total_seconds() // 60),
        }
    return reasons, details


def signup_signals(
    *, referrer: User, referee: User, network: str, browser: str, now=None
) -> list[str]:
    return signup_signals_with_details(
        referrer=referrer, referee=referee, network=network, browser=browser, now=now
    )[0]


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


# --- Reactions: who counts -------------------------------------------------------------


def _networks_of(member_ids: list[int]) -> set[str]:
    networks = set(
        MemberNetwork.objects.filter(member_id__in=member_ids).values_list(
            "network_hash", flat=True
        )
    )
    networks |= set(
        SignUp.objects.filter(member_id__in=member_ids).values_list("network_hash", flat=True)
    )
    networks.discard("")
    return networks


def _browsers_of(member_ids: list[int]) -> set[str]:
    browsers = set(
        SignUp.objects.filter(member_id__in=member_ids).values_list("browser", flat=True)
    )
    browsers.discard("")
    return browsers


def _invited_by(member: User, reactor: User) -> bool:
    addresses = {reactor.email.lower()} if reactor.email else set()
    addresses |= {
        email.lower()
        for email in EmailAddress.objects.filter(user=reactor).values_list("email", flat=True)
    }
    return bool(addresses) and Invite.objects.filter(sender=member, email__in=addresses).exists()


def why_reaction_does_not_count(
    *, reactor: User, author: User, referral: Referral | None = None
) -> str | None:
    """Why a reaction from ``reactor`` to ``author``'s contribution earns nothing (no point
    for the author, no conversion of ``referral``, the author's referral), or None.

    It counts only from someone else in good standing (active, not suspended or
    silenced, not held for review), past trust level 0, who is not the author's own
    referral or invitee, not the author's referrer, and who shares no network and no
    browser with the author or the author's referrer.
    """
    if reactor.pk == author.pk:
        return "own"
    if not reactor.is_active or reactor.is_suspended or reactor.is_silenced:
        return "standing"
    if Referral.objects.filter(
        referee=reactor, status__in=[Status.HELD, Status.REJECTED, Status.REVOKED]
    ).exists():
        return "held"
    if not trust.counts_for_others(reactor):
        return "new_account"
    if referral is not None and referral.referrer_id == reactor.pk:
        return "referrer"
    if Referral.objects.filter(referrer=author, referee=reactor).exists() or _invited_by(
        author, reactor
    ):
        return "invitee"
    people = [author.pk] + ([referral.referrer_id] if referral is not None else [])
    if _networks_of([reactor.pk]) & _networks_of(people):
        return "network"
    if _browsers_of([reactor.pk]) & _browsers_of(people):
        return "browser"
    return None


def reaction_counts(*, reactor: User, author: User, referral: Referral | None = None) -> bool:
    return why_reaction_does_not_count(reactor=reactor, author=author, referral=referral) is None
