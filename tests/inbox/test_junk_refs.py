"""A decision posted with a ref whose key is no plain number ("appeal:²", a key in Arabic-
Indic digits, one past what the database stores) is an item that no longer exists: the
moderator reads so, nothing changes and nothing answers 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community import actions as community
from community.moderation import actions as moderation
from community.moderation.models import Appeal
from referrals.models import Referral, Status
from survey import actions as survey
from tests.factories import make_member, make_moderator
from tests.inbox.conftest import INBOX, flagged_post, held_referral

pytestmark = pytest.mark.django_db

DECIDE = INBOX + "decide/"

# "٠١٢٣٤٥٦٧٨٩": int() reads these as digits, so "١" would be item 1.
ARABIC_INDIC = str.maketrans(
    "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
)


def _appeal() -> tuple[int, str, object]:
    member = make_member(display_name="Paula Penalised")
    community.silence_member(
        member=member,
        moderator=make_moderator(username="giver", display_name="Giver"),
        until=timezone.now() + timedelta(days=3),
        reason="Name-calling.",
    )
    penalty = member.penalties.latest("pk")
    appeal = moderation.appeal(penalty=penalty, member=member, text="I was quoting.")
    return appeal.pk, "lift", lambda: Appeal.objects.get(pk=appeal.pk).decision == ""


def _referral() -> tuple[int, str, object]:
    referral = held_referral()
    return (
        referral.pk,
        "approve",
        lambda: Referral.objects.get(pk=referral.pk).status == Status.HELD,
    )


def _flag() -> tuple[int, str, object]:
    post = flagged_post(flaggers=1)

    def untouched() -> bool:
        post.refresh_from_db()
        return not post.hidden and post.open_flag_count == 1

    return post.pk, "dismiss", untouched


def _survey() -> tuple[int, str, object]:
    member = make_member(display_name="Dora", joined_days_ago=60)
    survey.answer_survey(member=member, score=3)
    answer = survey.add_reason(member=member, reason="Nobody answered my question.")

    def untouched() -> bool:
        answer.refresh_from_db()
        return answer.closed_at is None and answer.reply == ""

    return answer.pk, "close", untouched


ITEMS = {
    "appeal": (_appeal, "That appeal no longer exists."),
    "referral": (_referral, "This referral no longer exists."),
    "survey": (_survey, "This survey answer no longer exists."),
    "flag": (_flag, "This post was deleted or its flags were reviewed meanwhile."),
}


def _junk_keys(pk: int) -> list[str]:
    return [
        "²",  # str.isdigit() says yes, int() says no
        str(pk).translate(ARABIC_INDIC),  # int() says it is this very item
        "9" * 25,  # more than any id the database holds
        "",
    ]


@pytest.mark.parametrize("kind", ITEMS)
def test_a_junk_key_is_told_as_gone_and_changes_nothing(kind, moderator_client):
    make, gone = ITEMS[kind]
    pk, decision, untouched = make()

    for key in _junk_keys(pk):
        response = moderator_client.post(
            DECIDE,
            {"ref": f"{kind}:{key}", "decision": decision, "reason": "Looked at it."},
            follow=True,
        )

        assert response.status_code == 200, key
        assert gone in response.content.decode(), key
        assert untouched(), key


def test_members_get_no_further_with_a_junk_key(member_client):
    _, decision, untouched = _referral()
    response = member_client.post(DECIDE, {"ref": "referral:²", "decision": decision})
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/login/" in response["Location"]
    assert untouched()
