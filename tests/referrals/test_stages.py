from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from community.signals import content_published, content_removed, reaction_added
from referrals import actions, points
from referrals.models import (
    ActivityCandidate,
    MemberBadge,
    PointsEntry,
    Referral,
    ReferralEvent,
    ReferralScore,
    Stage,
    Status,
    ThankYouTask,
)
from referrals.periods import month_of
from tests.factories import make_member
from tests.referrals.factories import (
    FakeContent,
    browser,
    confirm_email,
    follow,
    link_for,
    make_referral,
    sign_up,
)

pytestmark = pytest.mark.django_db


def _publish(author, obj, kind, container=None):
    content_published.send(sender=type(obj), author=author, obj=obj, kind=kind, container=container)


def _react(obj, author, reactor, kind="like", *, converts=True, container=None):
    """A reaction as a sender describes it: ``converts`` is the sender's word."""
    reaction_added.send(
        sender=type(obj),
        obj=obj,
        author=author,
        reactor=reactor,
        kind=kind,
        container=container,
        converts=converts,
    )


def _remove(author, obj, kind, container=None):
    content_removed.send(sender=type(obj), author=author, obj=obj, kind=kind, container=container)


def _stages(referral):
    return list(ReferralEvent.objects.filter(referral=referral).values_list("stage", flat=True))


# --- joined --------------------------------------------------------------------


def test_it_marks_the_referral_joined_when_the_email_is_confirmed(member):
    client = browser()
    follow(client, link_for(member))
    friend = sign_up(client, "friend")
    confirm_email(client, friend.email)
    referral = Referral.objects.get()
    assert referral.stage == Stage.JOINED
    assert referral.joined_at is not None
    assert _stages(referral) == [Stage.SIGNED_UP, Stage.JOINED]
    assert member.notifications.filter(kind="referral_joined").exists()


def test_joining_twice_records_one_event(member):
    referral = make_referral(referrer=member, stage=Stage.SIGNED_UP)
    assert actions.mark_joined(member=referral.referee) is True
    assert actions.mark_joined(member=referral.referee) is False
    assert _stages(referral) == [Stage.SIGNED_UP, Stage.JOINED]


# --- active -----------------------------------------------------------------------


def test_a_first_post_that_stays_up_24_hours_makes_the_referral_active(member):
    referral = make_referral(referrer=member, stage=Stage.JOINED)
    post = FakeContent("forum.post", 1)
    _publish(referral.referee, post, "post")
    assert ActivityCandidate.objects.get().object_key == "forum.post:1"
    assert actions.promote_active_referrals() == 0  # not 24 hours yet
    ActivityCandidate.objects.update(published_at=timezone.now() - timedelta(hours=24, minutes=1))
    call_command("promote_active_referrals", stdout=io.StringIO())
    referral.refresh_from_db()
    assert referral.stage == Stage.ACTIVE
    assert _stages(referral) == [Stage.SIGNED_UP, Stage.JOINED, Stage.ACTIVE]
    assert ReferralEvent.objects.get(referral=referral, stage=Stage.ACTIVE).detail == {
        "object": "forum.post:1",
        "kind": "post",
    }


@pytest.mark.parametrize("kind,label", [("chat", "chat.chatmessage"), ("guide", "blog.guidepage")])
def test_a_chat_message_or_guide_also_counts_as_activity(kind, label, member):
    referral = make_referral(referrer=member, stage=Stage.JOINED)
    _publish(referral.referee, FakeContent(label, 7), kind)
    ActivityCandidate.objects.update(published_at=timezone.now() - timedelta(days=2))
    actions.promote_active_referrals()
    referral.refresh_from_db()
    assert referral.stage >= Stage.ACTIVE


def test_content_removed_within_24_hours_does_not_count(member):
    referral = make_referral(referrer=member, stage=Stage.JOINED)
    post = FakeContent("forum.post", 1)
    _publish(referral.referee, post, "post")
    _remove(referral.referee, post, "post")
    ActivityCandidate.objects.update(published_at=timezone.now() - timedelta(days=2))
    assert actions.promote_active_referrals() == 0
    referral.refresh_from_db()
    assert referral.stage == Stage.JOINED


def test_removing_what_holds_a_post_cancels_the_posts_activity(member):
    referral = make_referral(referrer=member, stage=Stage.JOINED)
    topic = FakeContent("forum.topic", 3)
    _publish(referral.referee, FakeContent("forum.post", 1), "post", container=topic)
    assert ActivityCandidate.objects.get().container_key == "forum.topic:3"
    _remove(make_member(), topic, "topic")
    ActivityCandidate.objects.update(published_at=timezone.now() - timedelta(days=2))
    assert actions.promote_active_referrals() == 0


def test_a_later_post_can_still_make_it_active_after_the_first_was_removed(member):
    referral = make_referral(referrer=member, stage=Stage.JOINED)
    first, second = FakeContent("forum.post", 1), FakeContent("forum.post", 2)
    _publish(referral.referee, first, "post")
    _remove(referral.referee, first, "post")
    _publish(referral.referee, second, "post")
    ActivityCandidate.objects.update(published_at=timezone.now() - timedelta(days=2))
    assert actions.promote_active_referrals() == 1
    assert ReferralEvent.objects.get(stage=Stage.ACTIVE).detail["object"] == "forum.post:2"


def test_promoting_again_changes_nothing(member):
    referral = make_referral(referrer=member, stage=Stage.JOINED)
    _publish(referral.referee, FakeContent("forum.post", 1), "post")
    ActivityCandidate.objects.update(published_at=timezone.now() - timedelta(days=2))
    assert actions.promote_active_referrals() == 1
    assert actions.promote_active_referrals() == 0
    assert ReferralEvent.objects.filter(stage=Stage.ACTIVE).count() == 1


# --- converted ------------------------------------------------------------------------


def test_a_reaction_from_a_third_member_converts_and_credits_the_referrer(member):
    referral = make_referral(referrer=member, stage=Stage.ACTIVE)
    third = make_member()
    post = FakeContent("forum.post", 5)
    _react(post, referral.referee, third)
    referral.refresh_from_db()
    assert referral.stage == Stage.CONVERTED
    assert referral.converted_via == "reaction"
    assert referral.converting_object == "forum.post:5"
    assert referral.credited_at is not None
    entry = PointsEntry.objects.get(member=member)
    assert entry.amount == 50
    assert entry.idempotency_key == f"referral:{referral.pk}:converted"
    assert ReferralScore.objects.get(member=member, period=month_of().key).converted == 1
    assert ReferralScore.objects.get(member=member, period="all").converted == 1
    assert member.notifications.filter(kind="referral_converted").exists()


def test_a_reaction_from_the_referrer_does_not_convert(member):
    referral = make_referral(referrer=member, stage=Stage.ACTIVE)
    _react(FakeContent("forum.post", 5), referral.referee, member)
    referral.refresh_from_db()
    assert referral.stage == Stage.ACTIVE
    assert not PointsEntry.objects.filter(member=member).exists()


def test_a_reaction_its_sender_says_does_not_convert_only_earns_a_point(member):
    referral = make_referral(referrer=member, stage=Stage.ACTIVE)
    _react(FakeContent("chat.chatmessage", 5), referral.referee, make_member(), converts=False)
    referral.refresh_from_db()
    assert referral.stage == Stage.ACTIVE
    assert points.balance(referral.referee) == 1


def test_a_conversion_remembers_what_holds_the_content_and_falls_with_it(member):
    referral = make_referral(referrer=member, stage=Stage.ACTIVE)
    topic = FakeContent("forum.topic", 4)
    _react(FakeContent("forum.post", 5), referral.referee, make_member(), container=topic)
    referral.refresh_from_db()
    assert referral.converting_container == "forum.topic:4"
    _remove(make_member(), topic, "topic")
    referral.refresh_from_db()
    assert referral.status == Status.REVOKED


def test_a_joined_referral_converts_only_once_it_is_active(member):
    # Issue 11: a reaction within minutes of joining converted it, skipping "active".
    referral = make_referral(referrer=member, stage=Stage.JOINED)
    _react(FakeContent("forum.post", 5), referral.referee, make_member())
    referral.refresh_from_db()
    assert referral.stage == Stage.JOINED
    assert points.balance(member) == 0


def test_a_referral_that_has_not_confirmed_its_email_does_not_convert_by_reaction(member):
    referral = make_referral(referrer=member, stage=Stage.SIGNED_UP)
    _react(FakeContent("forum.post", 5), referral.referee, make_member())
    referral.refresh_from_db()
    assert referral.stage == Stage.SIGNED_UP


def test_a_published_guide_converts(member):
    referral = make_referral(referrer=member, stage=Stage.ACTIVE)
    _publish(referral.referee, FakeContent("blog.guidepage", 3), "guide")
    referral.refresh_from_db()
    assert referral.stage == Stage.CONVERTED
    assert referral.converted_via == "guide"
    assert referral.converting_object == "blog.guidepage:3"


def test_more_reactions_pay_once(member):
    referral = make_referral(referrer=member, stage=Stage.ACTIVE)
    for n in range(3):
        _react(FakeContent("forum.post", n), referral.referee, make_member())
    assert ReferralEvent.objects.filter(referral=referral, stage=Stage.CONVERTED).count() == 1
    assert PointsEntry.objects.filter(member=member).count() == 1
    assert ReferralScore.objects.get(member=member, period="all").converted == 1


def test_calling_convert_again_pays_once(member):
    referral = make_referral(referrer=member, stage=Stage.ACTIVE)
    assert actions.convert_referral(referral=referral, via="reaction", object_key="forum.post:1")
    assert not actions.convert_referral(referral=referral, via="guide", object_key="x:2")
    assert points.balance(member) == 50


# --- badges and the monthly beep -------------------------------------------------------


def test_it_awards_badges_at_one_three_and_ten_conversions(member, settings):
    settings.REFERRAL_BURST_LIMIT = 100
    for n in range(10):
        referral = make_referral(referrer=member, stage=Stage.ACTIVE)
        actions.convert_referral(referral=referral, via="reaction", object_key=f"forum.post:{n}")
        badges = set(MemberBadge.objects.filter(member=member).values_list("badge", flat=True))
        if n + 1 < 3:
            assert badges == {"first_friend"}
        elif n + 1 < 10:
            assert badges == {"first_friend", "good_company"}
    assert set(MemberBadge.objects.filter(member=member).values_list("badge", flat=True)) == {
        "first_friend",
        "good_company",
        "hearth_builder",
    }
    assert member.notifications.filter(kind="referral_badge").count() == 3


def test_the_tenth_conversion_in_a_month_beeps_to_the_member_and_every_editor(
    member, editor, settings
):
    settings.REFERRAL_BURST_LIMIT = 100
    second_editor = make_member(groups=["Members", "Editors"])
    for n in range(10):
        referral = make_referral(referrer=member, stage=Stage.ACTIVE)
        actions.convert_referral(referral=referral, via="reaction", object_key=f"forum.post:{n}")
        if n < 9:
            assert not ThankYouTask.objects.exists()
    task = ThankYouTask.objects.get()
    assert (task.member, task.kind, task.period) == (member, "milestone", month_of().key)
    assert member.notifications.filter(kind="referral_milestone").count() == 1
    for person in (editor, second_editor):
        note = person.notifications.get(kind="referral_milestone_staff")
        assert "Maya reached 10 converted referrals" in note.text
        assert note.url == f"/admin/referrals/thank-you/{task.pk}/"
    # the eleventh does not beep again
    referral = make_referral(referrer=member, stage=Stage.ACTIVE)
    actions.convert_referral(referral=referral, via="reaction", object_key="forum.post:99")
    assert ThankYouTask.objects.count() == 1
    assert editor.notifications.filter(kind="referral_milestone_staff").count() == 1
