"""The hub with the real forum: its actions send community.signals after commit, and the
referral climbs (and falls back) accordingly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.forum import actions as forum
from referrals import actions, points
from referrals.models import ActivityCandidate, Referral, RevokeReason, Stage, Status
from tests.factories import make_member, make_moderator
from tests.forum.factories import make_category
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a forum action and the signals it sends after commit, as a request would."""

    def run(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


@pytest.fixture
def referral(member):
    return make_referral(referrer=member, referee=make_member(username="robin"), stage=Stage.JOINED)


def test_a_forum_topic_that_stays_up_makes_the_referral_active(committed, referral):
    committed(
        forum.start_topic,
        category=make_category(),
        author=referral.referee,
        title="Hello from a new baker",
        body="Glad to be here.",
    )
    ActivityCandidate.objects.update(published_at=timezone.now() - timedelta(days=2))
    assert actions.promote_active_referrals() == 1
    referral.refresh_from_db()
    assert referral.stage == Stage.ACTIVE


def _active(referral):
    Referral.objects.filter(pk=referral.pk).update(stage=Stage.ACTIVE)


def test_a_forum_reaction_from_a_third_member_converts(committed, referral, member):
    _active(referral)
    topic = committed(
        forum.start_topic,
        category=make_category(),
        author=referral.referee,
        title="Hello from a new baker",
        body="Glad to be here.",
    )
    opening = topic.posts.order_by("number").first()
    committed(forum.toggle_reaction, post=opening, member=member, kind="like")  # the referrer
    referral.refresh_from_db()
    assert referral.stage == Stage.ACTIVE
    committed(forum.toggle_reaction, post=opening, member=make_member(), kind="heart")
    referral.refresh_from_db()
    assert referral.stage == Stage.CONVERTED
    assert referral.converting_object == f"forum.post:{opening.pk}"
    assert referral.converting_container == f"forum.topic:{topic.pk}"
    assert points.balance(member) == 50


def test_hiding_the_topic_of_the_qualifying_post_revokes_the_credit(committed, referral, member):
    _active(referral)
    topic = committed(
        forum.start_topic,
        category=make_category(),
        author=referral.referee,
        title="Buy cheap watches",
        body="Spam, it turns out.",
    )
    opening = topic.posts.order_by("number").first()
    committed(forum.toggle_reaction, post=opening, member=make_member(), kind="like")
    assert points.balance(member) == 50
    committed(forum.hide_topic, topic=topic, moderator=make_moderator(), reason="Spam")
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == Status.REVOKED
    assert referral.revoke_reason == RevokeReason.CONTENT_REMOVED
    assert points.balance(member) == 0
