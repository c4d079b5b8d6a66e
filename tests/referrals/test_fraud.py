from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from referrals import actions, fraud, points
from referrals.models import HoldReason, Referral, ReferralScore, SignUp, Stage, Status, Visit
from tests.factories import make_member
from tests.referrals.factories import browser, follow, link_for, make_referral, sign_up

pytestmark = pytest.mark.django_db


def _referred_sign_up(referrer, username, *, address="198.51.100.7", email=None):
    client = browser(address)
    follow(client, link_for(referrer))
    sign_up(client, username, email=email)
    return Referral.objects.get(referee__username=username), client


def _referrer_signs_in_from(member, address):
    client = browser(address)
    client.post(
        "/accounts/login/", {"login": member.email, "password": "correct-horse-battery-staple"}
    )


# --- each signal ------------------------------------------------------------------


def test_it_holds_a_referral_from_the_referrers_network(member):
    _referrer_signs_in_from(member, "203.0.113.10")
    referral, _ = _referred_sign_up(member, "friend", address="203.0.113.77")  # same /24
    assert referral.status == Status.HELD
    assert referral.hold_reasons == [HoldReason.SAME_NETWORK]
    assert "same network as you" in referral.explanation


def test_it_does_not_hold_a_referral_from_another_network(member):
    _referrer_signs_in_from(member, "203.0.113.10")
    referral, _ = _referred_sign_up(member, "friend", address="192.0.2.44")
    assert referral.status == Status.COUNTING
    assert referral.hold_reasons == []


def test_it_holds_the_fourth_sign_up_from_one_network_in_a_day(member):
    for _ in range(3):
        SignUp.objects.create(member=make_member(), network_hash=_hash_of("192.0.2.1"))
    referral, _ = _referred_sign_up(member, "friend", address="192.0.2.200")
    assert referral.status == Status.HELD
    assert referral.hold_reasons == [HoldReason.BUSY_NETWORK]


def test_older_sign_ups_from_the_network_do_not_count(member):
    for _ in range(5):
        SignUp.objects.create(
            member=make_member(),
            network_hash=_hash_of("192.0.2.1"),
            created_at=timezone.now() - timedelta(hours=25),
        )
    referral, _ = _referred_sign_up(member, "friend", address="192.0.2.200")
    assert referral.status == Status.COUNTING


@pytest.mark.parametrize("email", ["friend@mailinator.com", "friend@mail.mailinator.com"])
def test_it_holds_a_disposable_email_address(email, member):
    referral, _ = _referred_sign_up(member, "friend", email=email)
    assert referral.hold_reasons == [HoldReason.DISPOSABLE_EMAIL]
    assert "throwaway email address" in referral.explanation


def test_a_normal_email_domain_is_not_disposable():
    assert not fraud.is_disposable_email("someone@example.com")
    assert not fraud.is_disposable_email("no-at-sign")


def test_it_holds_a_burst_of_conversions(member, settings):
    settings.REFERRAL_BURST_LIMIT = 3
    referrals = [make_referral(referrer=member, stage=Stage.ACTIVE) for _ in range(5)]
    for n, referral in enumerate(referrals):
        actions.convert_referral(referral=referral, via="reaction", object_key=f"forum.post:{n}")
    statuses = [Referral.objects.get(pk=r.pk).status for r in referrals]
    assert statuses == [Status.COUNTING] * 3 + [Status.HELD] * 2
    held = Referral.objects.filter(status=Status.HELD).first()
    assert held.hold_reasons == [HoldReason.BURST]
    assert held.stage == Stage.CONVERTED
    # held conversions earn nothing until a moderator approves them
    assert points.balance(member) == 150
    assert ReferralScore.objects.get(member=member, period="all").converted == 3


def test_conversions_spread_over_time_are_not_a_burst(member, settings):
    settings.REFERRAL_BURST_LIMIT = 2
    for n in range(3):
        referral = make_referral(referrer=member, stage=Stage.ACTIVE)
        actions.convert_referral(
            referral=referral,
            via="reaction",
            object_key=f"forum.post:{n}",
            now=timezone.now() - timedelta(hours=2 * (3 - n)),
        )
    assert not Referral.objects.filter(status=Status.HELD).exists()


def test_it_holds_a_referral_back_up_the_chain(member, other_member):
    # maya referred sam; now sam "refers" maya: a two-member cycle.
    make_referral(referrer=member, referee=other_member)
    assert fraud.is_cycle(referrer=other_member, referee=member, network="", browser="")
    assert fraud.signup_signals(referrer=other_member, referee=member, network="", browser="") == [
        HoldReason.CYCLE
    ]
    assert not fraud.is_cycle(referrer=member, referee=make_member(), network="", browser="")


def test_it_holds_a_ring_through_a_second_account_on_the_same_network(member):
    # maya -> bea -> cal, and cal's referee signs up from maya's network: a ring back to maya.
    SignUp.objects.create(member=member, network_hash=_hash_of("203.0.113.5"))
    bea = make_member(username="bea")
    cal = make_member(username="cal")
    make_referral(referrer=member, referee=bea)
    make_referral(referrer=bea, referee=cal)
    referral, _ = _referred_sign_up(cal, "maya2", address="203.0.113.80")
    assert referral.status == Status.HELD
    assert HoldReason.CYCLE in referral.hold_reasons
    assert "chain of referrals" in referral.explanation


def test_it_holds_a_ring_through_a_second_account_in_the_same_browser(member):
    # maya signed up long ago in this browser (through ann's link), then referred bea...
    ann = make_member(username="ann")
    client = browser("198.51.100.1")
    follow(client, link_for(ann))
    Visit.objects.update(created_at=timezone.now() - timedelta(days=120))
    maya_browser = client.cookies["hearth_ref"].value.split(":")[0]
    SignUp.objects.create(member=member, browser=maya_browser)
    bea = make_member(username="bea")
    make_referral(referrer=member, referee=bea)
    # ...and the same browser now signs up a second account through bea's link.
    follow(client, link_for(bea))
    sign_up(client, "maya2")
    referral = Referral.objects.get(referee__username="maya2")
    assert referral.referrer == bea
    # Both signals see the browser: the ring, and a second account made in it.
    assert referral.hold_reasons == [HoldReason.CYCLE, HoldReason.SAME_BROWSER]


def test_an_ordinary_chain_is_not_a_cycle(member):
    bea = make_member(username="bea")
    make_referral(referrer=member, referee=bea)
    referral, _ = _referred_sign_up(bea, "cal", address="192.0.2.9")
    assert referral.status == Status.COUNTING


def test_loopback_addresses_identify_no_network(member):
    _referrer_signs_in_from(member, "127.0.0.1")
    referral, _ = _referred_sign_up(member, "friend", address="127.0.0.1")
    assert referral.status == Status.COUNTING


def test_several_signals_are_all_recorded(member):
    _referrer_signs_in_from(member, "203.0.113.10")
    referral, _ = _referred_sign_up(
        member, "friend", address="203.0.113.11", email="x@mailinator.com"
    )
    assert set(referral.hold_reasons) == {HoldReason.SAME_NETWORK, HoldReason.DISPOSABLE_EMAIL}
    assert len(referral.hold_explanations) == 2


def test_holding_is_written_to_the_audit_log(member):
    referral, _ = _referred_sign_up(member, "friend", email="x@mailinator.com")
    entry = ModelLogEntry.objects.get(action="hearth.referrals.hold")
    assert entry.object_id == str(referral.pk)
    assert entry.data == {"reasons": ["disposable_email"]}


# --- review ---------------------------------------------------------------------------


def test_approving_a_held_conversion_credits_it(member, moderator):
    referral = make_referral(
        referrer=member, stage=Stage.ACTIVE, status=Status.HELD, hold_reasons=["same_network"]
    )
    actions.convert_referral(referral=referral, via="reaction", object_key="forum.post:1")
    assert points.balance(member) == 0
    actions.approve_referral(referral=referral, moderator=moderator, note="Flatmates, fine.")
    referral.refresh_from_db()
    assert referral.status == Status.COUNTING
    assert referral.reviewed_by == moderator
    assert points.balance(member) == 50
    assert ReferralScore.objects.get(member=member, period="all").converted == 1
    assert ModelLogEntry.objects.filter(action="hearth.referrals.approve").exists()


def test_an_approved_referral_credits_when_it_converts_later(member, moderator):
    referral = make_referral(
        referrer=member, stage=Stage.ACTIVE, status=Status.HELD, hold_reasons=["same_network"]
    )
    actions.approve_referral(referral=referral, moderator=moderator)
    assert points.balance(member) == 0
    actions.convert_referral(referral=referral, via="reaction", object_key="forum.post:1")
    assert points.balance(member) == 50


def test_rejecting_needs_a_note_and_the_member_reads_it(member, moderator):
    referral = make_referral(referrer=member, status=Status.HELD, hold_reasons=["cycle"])
    with pytest.raises(actions.ReferralError):
        actions.reject_referral(referral=referral, moderator=moderator, note="  ")
    actions.reject_referral(referral=referral, moderator=moderator, note="Same person twice.")
    referral.refresh_from_db()
    assert referral.status == Status.REJECTED
    assert "Did not count" in referral.explanation
    assert "Same person twice." in referral.explanation
    # a rejected referral never converts
    assert not actions.convert_referral(referral=referral, via="reaction", object_key="p:1")
    assert points.balance(member) == 0


def test_only_held_referrals_can_be_decided(member, moderator):
    referral = make_referral(referrer=member)
    with pytest.raises(actions.ReferralError):
        actions.approve_referral(referral=referral, moderator=moderator)
    with pytest.raises(actions.ReferralError):
        actions.reject_referral(referral=referral, moderator=moderator, note="no")


def _hash_of(address: str) -> str:
    from referrals.attribution import _hash, network_of

    return _hash("net", network_of(address))
