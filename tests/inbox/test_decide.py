"""Deciding one item: through the source's own verbs, checked against the current state."""

from __future__ import annotations

import pytest

from community.forum.models import Flag, FlagOutcome
from community.inbox import actions
from community.models import Notification
from community.review import StaleItem
from referrals.models import Status
from tests.factories import make_moderator
from tests.inbox.conftest import INBOX, flagged_post, held_referral

DECIDE = INBOX + "decide/"


def test_a_moderator_hides_a_flagged_post_with_a_reason(moderator_client):
    post = flagged_post()

    response = moderator_client.post(
        DECIDE,
        {"ref": f"flag:{post.pk}", "decision": "hide", "reason": "Advertising", "filter": "flag"},
        follow=True,
    )

    assert response.redirect_chain[0] == (f"{INBOX}?kind=flag", 302)
    html = response.content.decode()
    assert "Post by Sam Spam in “Rye starter tips”: The post is hidden; 3 flags closed." in html
    assert "Nothing waits for review of this kind." in html
    post.refresh_from_db()
    assert post.hidden and not post.hidden_by_flags and post.hidden_reason == "Advertising"
    assert post.open_flag_count == 0
    assert set(Flag.objects.values_list("outcome", flat=True)) == {FlagOutcome.HIDDEN}
    # The author's notice is the appealable "hidden post" penalty's (tests/moderation/
    # test_hidden_post_appeal.py): which post, why, and the penalty page.
    told = Notification.objects.filter(recipient=post.author, kind="penalty").latest("pk")
    assert told.text == "A moderator hid your post in “Rye starter tips”: Advertising"
    assert told.url.startswith("/penalties/")


def test_hiding_needs_a_reason(moderator_client):
    post = flagged_post(flaggers=1)
    response = moderator_client.post(
        DECIDE, {"ref": f"flag:{post.pk}", "decision": "hide", "reason": "  "}, follow=True
    )
    assert "“Hide the post” needs a reason; the member will read it." in response.content.decode()
    post.refresh_from_db()
    assert not post.hidden and post.open_flag_count == 1


def test_dismissing_restores_a_post_hidden_by_flags(moderator_client):
    post = flagged_post()
    response = moderator_client.post(
        DECIDE, {"ref": f"flag:{post.pk}", "decision": "dismiss"}, follow=True
    )
    assert "3 flags dismissed; the post is visible." in response.content.decode()
    post.refresh_from_db()
    assert not post.hidden and post.open_flag_count == 0
    assert Notification.objects.filter(recipient=post.author, kind="forum_restored").exists()


def test_a_stale_page_cannot_hide_a_post_another_moderator_restored(
    moderator_client, other_moderator_client
):
    post = flagged_post()
    other_moderator_client.post(DECIDE, {"ref": f"flag:{post.pk}", "decision": "dismiss"})

    response = moderator_client.post(
        DECIDE, {"ref": f"flag:{post.pk}", "decision": "hide", "reason": "Spam"}, follow=True
    )

    html = response.content.decode()
    assert "already reviewed" in html or "reviewed meanwhile" in html
    post.refresh_from_db()
    assert not post.hidden


def test_the_forum_verb_itself_refuses_flags_already_reviewed(moderator):
    """Both moderators loaded the post before either decided: the lock decides."""
    post = flagged_post()
    from community.forum import actions as forum

    forum.resolve_flags(post=post, moderator=make_moderator(), outcome=FlagOutcome.DISMISSED)
    with pytest.raises(forum.PostingError) as caught:
        forum.resolve_flags(post=post, moderator=moderator, outcome=FlagOutcome.HIDDEN)
    assert caught.value.code == "stale"
    post.refresh_from_db()
    assert not post.hidden


def test_a_moderator_approves_and_rejects_held_referrals(moderator_client):
    fine, fishy = held_referral(), held_referral()

    response = moderator_client.post(
        DECIDE, {"ref": f"referral:{fine.pk}", "decision": "approve"}, follow=True
    )
    assert "The referral of Tom Throwaway is approved: it counts." in response.content.decode()

    response = moderator_client.post(
        DECIDE, {"ref": f"referral:{fishy.pk}", "decision": "reject"}, follow=True
    )
    assert "Write a short note saying why" in response.content.decode() or (
        "needs a reason" in response.content.decode()
    )
    moderator_client.post(
        DECIDE, {"ref": f"referral:{fishy.pk}", "decision": "reject", "reason": "Throwaway"}
    )
    fine.refresh_from_db()
    fishy.refresh_from_db()
    assert fine.status == Status.COUNTING
    assert fishy.status == Status.REJECTED and fishy.review_note == "Throwaway"


def test_a_referral_already_decided_says_so_and_changes_nothing(moderator, moderator_client):
    referral = held_referral()
    actions.decide_item(ref=f"referral:{referral.pk}", decision="approve", moderator=moderator)

    response = moderator_client.post(
        DECIDE,
        {"ref": f"referral:{referral.pk}", "decision": "reject", "reason": "Fake"},
        follow=True,
    )

    assert "This referral is no longer waiting for review." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.COUNTING and referral.review_note == ""
    with pytest.raises(StaleItem):
        actions.decide_item(
            ref=f"referral:{referral.pk}", decision="reject", moderator=moderator, reason="x"
        )


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"ref": "nonsense", "decision": "hide"}, "The inbox has no such kind of item."),
        ({"ref": "flag:abc", "decision": "dismiss"}, "its flags were reviewed meanwhile"),
        ({"ref": "flag:999999", "decision": "dismiss"}, "its flags were reviewed meanwhile"),
        ({"ref": "referral:1", "decision": "hide"}, "Held referrals cannot be decided that way"),
        ({"ref": "", "decision": ""}, "This field is required."),
    ],
)
def test_bad_input_is_a_message_not_an_error(moderator_client, data, said):
    held_referral()
    response = moderator_client.post(DECIDE, data, follow=True)
    assert response.status_code == 200
    assert said in response.content.decode()
