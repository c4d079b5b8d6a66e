"""Claims: a moderator marks an item as theirs so two do not work on the same one."""

from __future__ import annotations

from community.inbox.models import ReviewClaim
from referrals.models import Status
from tests.inbox.conftest import INBOX, flagged_post, held_referral, refused_member

CLAIM = INBOX + "claim/"


def test_a_claim_shows_who_has_the_item(moderator_client, other_moderator_client):
    referral = held_referral()
    ref = f"referral:{referral.pk}"

    response = moderator_client.post(CLAIM, {"ref": ref, "action": "claim"}, follow=True)

    html = response.content.decode()
    assert "You claimed the item: other moderators see it is yours." in html
    assert "Claimed by you" in html and ">Release<" in html
    html = other_moderator_client.get(INBOX).content.decode()
    assert "Claimed by Mo" in html and ">Claim<" in html
    assert ReviewClaim.objects.get().moderator.username == "mo"


def test_claiming_someone_elses_item_says_so_and_changes_nothing(
    moderator_client, other_moderator_client
):
    ref = f"flag:{flagged_post().pk}"
    moderator_client.post(CLAIM, {"ref": ref, "action": "claim"})

    response = other_moderator_client.post(CLAIM, {"ref": ref, "action": "claim"}, follow=True)
    assert "Mo claimed this item at" in response.content.decode()
    response = other_moderator_client.post(CLAIM, {"ref": ref, "action": "release"}, follow=True)
    assert "it is still theirs" in response.content.decode()
    assert ReviewClaim.objects.get().moderator.username == "mo"


def test_a_moderator_releases_their_claim(moderator_client):
    ref = f"flag:{flagged_post().pk}"
    moderator_client.post(CLAIM, {"ref": ref, "action": "claim"})
    response = moderator_client.post(CLAIM, {"ref": ref, "action": "release"}, follow=True)
    assert "You released the item." in response.content.decode()
    assert not ReviewClaim.objects.exists()


def test_another_moderator_can_still_decide_a_claimed_item(
    moderator_client, other_moderator_client
):
    referral = held_referral()
    ref = f"referral:{referral.pk}"
    moderator_client.post(CLAIM, {"ref": ref, "action": "claim"})

    other_moderator_client.post(INBOX + "decide/", {"ref": ref, "decision": "approve"})

    referral.refresh_from_db()
    assert referral.status == Status.COUNTING
    assert not ReviewClaim.objects.exists()  # the claim ends with the decision


def test_claiming_an_item_already_decided_says_so(moderator, moderator_client):
    referral = held_referral()
    referral.status = Status.COUNTING
    referral.save(update_fields=["status"])
    response = moderator_client.post(
        CLAIM, {"ref": f"referral:{referral.pk}", "action": "claim"}, follow=True
    )
    assert "This item was already decided; nothing was changed." in response.content.decode()
    assert not ReviewClaim.objects.exists()


def test_members_cannot_claim(member_client):
    ref = f"flag:{flagged_post().pk}"
    response = member_client.post(CLAIM, {"ref": ref, "action": "claim"})
    assert refused_member(response)
    assert not ReviewClaim.objects.exists()
