"""Challenge progress comes from the warm actions; completion is recorded and paid once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from community.forum import actions as forum
from community.models import Notification
from recognition import challenges
from recognition.models import Challenge, ChallengeCompletion
from referrals import actions as referral_actions
from referrals import engagement, points
from referrals.models import (
    ConversionVia,
    MemberAction,
    MemberBadge,
    PointsEntry,
    PointsRule,
    Stage,
)
from tests.factories import make_member
from tests.forum.factories import make_category, make_topic
from tests.recognition.factories import make_challenge, warm_action
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def _progress(member, challenge) -> int:
    return Challenge.objects.for_member(member).get(pk=challenge.pk).progress


def test_progress_counts_the_members_actions_of_that_kind_between_the_dates(member, other_member):
    challenge = make_challenge(goal=5)
    warm_action(member)
    warm_action(member)
    warm_action(member, "topic")  # another kind
    warm_action(other_member)  # someone else's
    warm_action(member, when=timezone.now() - timedelta(days=3))  # before the first day

    assert _progress(member, challenge) == 2
    assert _progress(other_member, challenge) == 1


def test_the_key_filter_counts_only_matching_actions(member):
    challenge = make_challenge(goal=5, key_contains="Getting-Started")
    warm_action(member, key="forum.category:getting-started:forum.post:1")
    warm_action(member, key="forum.category:baking:forum.post:2")

    assert _progress(member, challenge) == 1


def test_answers_in_one_forum_category_count_through_the_real_forum_flow(
    member, other_member, django_capture_on_commit_callbacks
):
    challenge = make_challenge(
        title="Answer 2 questions in Getting started", goal=2, key_contains="getting-started"
    )
    started = make_category(name="Getting started", slug="getting-started")
    baking = make_category(name="Baking", slug="baking")
    question = make_topic(author=other_member, category=started, title="Where do I begin?")
    elsewhere = make_topic(author=other_member, category=baking, title="Rye starters")

    with django_capture_on_commit_callbacks(execute=True):
        forum.reply(topic=question, author=member, body="Start with the welcome guide.")
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):  # past the pause between posts
        forum.reply(topic=elsewhere, author=member, body="Feed it twice a day.")

    assert MemberAction.objects.get(
        key__contains=f"forum.post:{question.posts.last().pk}"
    ).place == ("forum.category:getting-started")
    assert _progress(member, challenge) == 1


def test_challenges_not_yet_started_or_already_over_are_not_shown(member):
    today = timezone.localdate()
    make_challenge(title="Later", starts_on=today + timedelta(days=1), ends_on=today + timedelta(9))
    make_challenge(title="Over", starts_on=today - timedelta(days=9), ends_on=today - timedelta(1))
    make_challenge(title="Last day", starts_on=today - timedelta(days=9), ends_on=today)

    assert [c.title for c in Challenge.objects.for_member(member)] == ["Last day"]


def test_reaching_the_goal_completes_the_challenge_and_pays_once(member, on_commit):
    challenge = make_challenge(goal=2, reward_points=20)
    with on_commit():
        warm_action(member)
    assert not ChallengeCompletion.objects.exists()

    with on_commit():
        warm_action(member)
        warm_action(member)  # past the goal: nothing more

    completion = ChallengeCompletion.objects.get()
    assert (completion.member, completion.challenge, completion.points) == (member, challenge, 20)
    key = f"challenge:{challenge.pk}:member:{member.pk}"
    assert MemberAction.objects.get(action="challenge").key == key
    assert PointsEntry.objects.get(idempotency_key=key).amount == 20
    assert points.balance(member) == 3 * 2 + 20  # three replies and the reward
    bell = Notification.objects.get(recipient=member, kind="challenge_completed")
    assert bell.text == "You completed the challenge “Answer 2 questions”: +20 points. Thank you!"
    assert bell.url == "/challenges/"

    # Asked again, directly or through the receiver: nothing more is paid or said.
    assert challenges.complete(member=member, challenge=challenge) is None
    with on_commit():
        assert challenges.note_progress(member=member, action="post") == []
    assert ChallengeCompletion.objects.count() == 1
    assert PointsEntry.objects.filter(idempotency_key=key).count() == 1
    assert Notification.objects.filter(kind="challenge_completed").count() == 1


def test_a_removed_action_before_completion_lowers_the_progress(member, on_commit):
    challenge = make_challenge(goal=2)
    with on_commit():
        warm_action(member, key="forum.post:1")
        engagement.revoke(action="post", key="forum.post:1", reason="The post was removed")
        warm_action(member, key="forum.post:2")

    assert _progress(member, challenge) == 1
    assert not ChallengeCompletion.objects.exists()


def test_a_reward_stays_when_an_action_is_removed_after_completion(member, on_commit):
    challenge = make_challenge(goal=2, reward_points=20)
    with on_commit():
        warm_action(member, key="forum.post:1")
        warm_action(member, key="forum.post:2")
    engagement.revoke(action="post", key="forum.post:1", reason="The post was removed")

    shown = Challenge.objects.for_member(member).get(pk=challenge.pk)
    assert shown.progress == 1
    assert shown.completed_at is not None
    assert shown.rewarded_points == 20
    assert points.balance(member) == 2 + 20  # the removed reply's points went back, not the reward


def test_a_badge_reward_is_given_once_and_named_in_the_bell(member, on_commit):
    challenge = make_challenge(goal=1, reward_points=0, reward_badge="well_liked")
    MemberBadge.objects.create(member=make_member(), badge="well_liked")  # someone else's
    with on_commit():
        warm_action(member)
    challenges.complete(member=member, challenge=challenge)

    assert MemberBadge.objects.filter(member=member, badge="well_liked").count() == 1
    bell = Notification.objects.get(kind="challenge_completed")
    assert bell.text == (
        "You completed the challenge “Answer 2 questions”: the “Well liked” badge. Thank you!"
    )
    assert ChallengeCompletion.objects.get().points == 0


def test_with_the_challenge_rule_off_it_completes_without_points(member, on_commit):
    PointsRule.objects.update_or_create(
        action="challenge", defaults={"points": 0, "enabled": False}
    )
    points.forget_rules()
    make_challenge(goal=1, reward_points=20)
    with on_commit():
        warm_action(member)

    assert ChallengeCompletion.objects.get().points == 0
    assert not PointsEntry.objects.filter(idempotency_key__startswith="challenge:").exists()
    assert Notification.objects.get(kind="challenge_completed").text == (
        "You completed the challenge “Answer 2 questions”. Thank you!"
    )


def test_the_audience_decides_who_sees_and_completes_a_challenge(member, on_commit):
    challenge = make_challenge(goal=1, audience="new")  # joined in the last 90 days
    old_hand = make_member(username="old", joined_days_ago=400)

    with on_commit():
        warm_action(old_hand)
        warm_action(member)

    assert list(Challenge.objects.for_member(old_hand)) == []
    assert [c.pk for c in Challenge.objects.for_member(member)] == [challenge.pk]
    assert list(ChallengeCompletion.objects.values_list("member__username", flat=True)) == ["maya"]


def test_a_suspended_member_completes_nothing(member, on_commit):
    make_challenge(goal=1)
    warm_action(member)
    member.suspended_until = timezone.now() + timedelta(days=1)
    member.save(update_fields=["suspended_until"])

    assert challenges.note_progress(member=member, action="post") == []
    assert not ChallengeCompletion.objects.exists()


def test_bring_friends_counts_counting_conversions_in_the_window(member, on_commit):
    challenge = make_challenge(
        title="Bring 2 friends", action="referral_converted", goal=2, reward_points=30
    )
    first = make_referral(referrer=member, stage=Stage.ACTIVE)
    second = make_referral(referrer=member, stage=Stage.ACTIVE)
    make_referral(referrer=member, stage=Stage.ACTIVE)  # not converted
    with on_commit():
        referral_actions.convert_referral(referral=first, via=ConversionVia.GUIDE)
    assert _progress(member, challenge) == 1
    assert not ChallengeCompletion.objects.exists()

    with on_commit():
        referral_actions.convert_referral(referral=second, via=ConversionVia.GUIDE)

    assert _progress(member, challenge) == 2
    assert ChallengeCompletion.objects.get().points == 30
    assert "Bring 2 friends" in Notification.objects.get(kind="challenge_completed").text
