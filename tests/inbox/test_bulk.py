"""Bulk decisions: each item decided on its own, stale ones reported."""

from __future__ import annotations

from community.forum.models import Flag, FlagOutcome
from community.inbox import actions
from community.models import Notification
from referrals.models import Status
from tests.factories import make_moderator
from tests.inbox.conftest import INBOX, flagged_post, held_referral

BULK = INBOX + "bulk/"


def test_bulk_approve_reports_the_item_someone_else_decided(moderator_client):
    referrals = [held_referral() for _ in range(4)]
    actions.decide_item(
        ref=f"referral:{referrals[1].pk}",
        decision="reject",
        moderator=make_moderator(),
        reason="Same person",
    )

    response = moderator_client.post(
        BULK, {"items": [f"referral:{r.pk}" for r in referrals], "decision": "approve"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 decided, 1 already decided by someone else." in html
    assert "This referral is no longer waiting for review." in html
    statuses = [type(r).objects.get(pk=r.pk).status for r in referrals]
    assert statuses == [Status.COUNTING, Status.REJECTED, Status.COUNTING, Status.COUNTING]


def test_bulk_reject_uses_one_reason_for_all(moderator_client):
    referrals = [held_referral() for _ in range(2)]
    response = moderator_client.post(
        BULK,
        {
            "items": [f"referral:{r.pk}" for r in referrals],
            "decision": "reject",
            "reason": "Throwaway accounts",
        },
    )
    assert "2 decided." in response.content.decode()
    for referral in referrals:
        referral.refresh_from_db()
        assert referral.status == Status.REJECTED and referral.review_note == "Throwaway accounts"


def test_a_reason_is_needed_before_anything_is_decided(moderator_client):
    referral = held_referral()
    response = moderator_client.post(
        BULK, {"items": [f"referral:{referral.pk}"], "decision": "reject"}, follow=True
    )
    assert "That decision needs a reason" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.HELD


def test_a_decision_that_does_not_fit_an_item_is_reported(moderator_client):
    referral, post = held_referral(), flagged_post()
    response = moderator_client.post(
        BULK, {"items": [f"referral:{referral.pk}", f"flag:{post.pk}"], "decision": "approve"}
    )
    html = response.content.decode()
    assert "1 decided, 1 could not be decided." in html
    assert "Flagged posts cannot be decided that way" in html
    post.refresh_from_db()
    assert post.hidden


def test_nothing_selected_is_a_message(moderator_client):
    response = moderator_client.post(BULK, {"decision": "approve"}, follow=True)
    assert "Select at least one item." in response.content.decode()


def test_editors_cannot_bulk_decide(editor_client):
    referral = held_referral()
    response = editor_client.post(
        BULK, {"items": [f"referral:{referral.pk}"], "decision": "approve"}
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == Status.HELD


def test_bulk_dismiss_restores_every_post_the_flags_hid(moderator_client):
    posts = [flagged_post() for _ in range(2)]
    assert all(post.hidden for post in posts)

    response = moderator_client.post(
        BULK, {"items": [f"flag:{post.pk}" for post in posts], "decision": "dismiss"}
    )

    html = response.content.decode()
    assert "2 decided." in html
    assert "3 flags dismissed; the post is visible." in html
    for post in posts:
        post.refresh_from_db()
        assert not post.hidden and post.open_flag_count == 0
        outcomes = set(Flag.objects.filter(post=post).values_list("outcome", flat=True))
        assert outcomes == {FlagOutcome.DISMISSED}
        assert Notification.objects.filter(recipient=post.author, kind="forum_restored").exists()
