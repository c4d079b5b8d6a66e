from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community.actions import suspend_member
from community.signals import content_removed
from referrals import actions, points
from referrals.models import (
    MemberBadge,
    PointsEntry,
    Referral,
    ReferralScore,
    RevokeReason,
    Stage,
    Status,
)
from tests.referrals.factories import FakeContent, converted_referral, make_referral

pytestmark = pytest.mark.django_db


def test_suspending_the_referee_revokes_the_credit_with_a_reversing_row(
    member, moderator, django_capture_on_commit_callbacks
):
    referral = converted_referral(referrer=member)
    assert points.balance(member) == 50
    with django_capture_on_commit_callbacks(execute=True):
        suspend_member(
            member=referral.referee,
            moderator=moderator,
            until=timezone.now() + timedelta(days=7),
            reason="spam",
        )
    referral.refresh_from_db()
    assert referral.status == Status.REVOKED
    assert referral.revoke_reason == RevokeReason.SUSPENDED
    assert referral.credited_at is None
    original = PointsEntry.objects.get(idempotency_key=f"referral:{referral.pk}:converted")
    reversal = original.reversal
    assert reversal.amount == -50
    assert points.balance(member) == 0
    assert ReferralScore.objects.get(member=member, period="all").converted == 0
    assert not MemberBadge.objects.filter(member=member).exists()
    assert "suspended" in referral.explanation
    assert member.notifications.filter(kind="referral_revoked").exists()
    assert ModelLogEntry.objects.filter(action="hearth.referrals.revoke").exists()


def test_removing_the_qualifying_post_revokes_the_credit(member):
    referral = converted_referral(referrer=member)
    post = FakeContent("forum.post", referral.pk)  # converted_referral used forum.post:<pk>
    content_removed.send(
        sender=FakeContent, author=referral.referee, obj=post, kind="post", container=None
    )
    referral.refresh_from_db()
    assert referral.status == Status.REVOKED
    assert referral.revoke_reason == RevokeReason.CONTENT_REMOVED
    assert points.balance(member) == 0
    assert "was removed" in referral.explanation


def test_removing_other_content_of_the_referee_changes_nothing(member):
    referral = converted_referral(referrer=member)
    other = FakeContent("forum.post", 999_999)
    content_removed.send(
        sender=FakeContent, author=referral.referee, obj=other, kind="post", container=None
    )
    referral.refresh_from_db()
    assert referral.status == Status.COUNTING
    assert points.balance(member) == 50


def test_revoking_twice_reverses_once(member):
    referral = converted_referral(referrer=member)
    assert actions.revoke_referral(referral=referral, reason=RevokeReason.SUSPENDED)
    assert not actions.revoke_referral(referral=referral, reason=RevokeReason.CONTENT_REMOVED)
    assert PointsEntry.objects.filter(member=member, amount__lt=0).count() == 1
    assert points.balance(member) == 0


def test_revocation_takes_the_month_score_of_the_conversion(member):
    referral = converted_referral(referrer=member)
    month = timezone.localtime(referral.converted_at).strftime("%Y-%m")
    actions.revoke_referral(referral=referral, reason=RevokeReason.SUSPENDED)
    assert ReferralScore.objects.get(member=member, period=month).converted == 0


def test_badges_above_the_new_total_are_taken_back(member, settings):
    settings.REFERRAL_BURST_LIMIT = 100
    referrals = [converted_referral(referrer=member) for _ in range(3)]
    assert MemberBadge.objects.filter(member=member).count() == 2
    actions.revoke_referral(referral=referrals[0], reason=RevokeReason.SUSPENDED)
    assert list(MemberBadge.objects.filter(member=member).values_list("badge", flat=True)) == [
        "first_friend"
    ]


def test_a_suspended_referee_that_had_not_converted_never_counts(member):
    referral = make_referral(referrer=member, stage=Stage.ACTIVE)
    actions.note_member_suspended(member=referral.referee)
    referral.refresh_from_db()
    assert referral.status == Status.REVOKED
    assert not actions.convert_referral(referral=referral, via="reaction", object_key="p:1")
    assert points.balance(member) == 0


def test_a_held_referral_can_be_revoked_and_is_no_longer_reviewable(member, moderator):
    referral = make_referral(referrer=member, status=Status.HELD, hold_reasons=["burst"])
    actions.revoke_referral(referral=referral, reason=RevokeReason.SUSPENDED)
    with pytest.raises(actions.ReferralError):
        actions.approve_referral(referral=Referral.objects.get(pk=referral.pk), moderator=moderator)
