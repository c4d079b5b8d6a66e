"""Two moderators decide the same inbox item at the same instant (PostgreSQL).

Each moderator works in their own thread with their own connection and transaction, as
two web workers would; a barrier starts them together. Exactly one decision stands and
the other moderator is told it was already decided (StaleItem), with nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from community import actions as community_actions
from community.forum.models import Flag, FlagOutcome
from community.inbox import actions
from community.moderation import actions as moderation
from community.moderation.models import Appeal, Penalty
from community.review import StaleItem
from referrals.models import Referral, Status
from tests.factories import make_member, make_moderator
from tests.inbox.conftest import flagged_post, held_referral
from tests.integration.races import race

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class _Told:
    # The shared race() fails on any exception a worker returns: carry StaleItem in this.
    error: StaleItem


def _decide_at_once(*decisions) -> list:
    """Run the decisions together; each gives its message, or the StaleItem it got."""

    def work(index: int):
        try:
            return decisions[index]()
        except StaleItem as told:
            return _Told(told)

    results = race(work, count=len(decisions))
    return [r.error if isinstance(r, _Told) else r for r in results]


def test_hide_and_dismiss_of_one_flagged_post_at_once_leave_one_decision(requires_postgres):
    post = flagged_post()
    mo, nina = make_moderator(), make_moderator()
    ref = f"flag:{post.pk}"

    results = _decide_at_once(
        lambda: actions.decide_item(ref=ref, decision="hide", moderator=mo, reason="Spam"),
        lambda: actions.decide_item(ref=ref, decision="dismiss", moderator=nina),
    )

    told = [r for r in results if isinstance(r, StaleItem)]
    assert len(told) == 1, results
    assert "reviewed" in told[0].message  # under the lock, or before it if it lost by far
    post.refresh_from_db()
    outcomes = set(Flag.objects.filter(post=post).values_list("outcome", flat=True))
    assert len(outcomes) == 1  # every flag closed by the same, single decision
    if outcomes == {FlagOutcome.HIDDEN}:
        assert post.hidden and post.hidden_reason == "Spam"
    else:
        assert not post.hidden
    assert post.open_flag_count == 0


def test_approve_and_reject_of_one_held_referral_at_once_leave_one_decision(requires_postgres):
    referral = held_referral()
    mo, nina = make_moderator(), make_moderator()
    ref = f"referral:{referral.pk}"

    results = _decide_at_once(
        lambda: actions.decide_item(ref=ref, decision="approve", moderator=mo),
        lambda: actions.decide_item(ref=ref, decision="reject", moderator=nina, reason="Fake"),
    )

    told = [r for r in results if isinstance(r, StaleItem)]
    assert len(told) == 1, results
    assert told[0].message == "This referral is no longer waiting for review."
    referral = Referral.objects.get(pk=referral.pk)
    winner = mo if isinstance(results[1], StaleItem) else nina
    assert referral.reviewed_by == winner
    expected = Status.COUNTING if winner == mo else Status.REJECTED
    assert referral.status == expected


def test_uphold_and_lift_of_one_appeal_at_once_leave_one_decision(requires_postgres):
    member, giver = make_member(), make_moderator()
    community_actions.silence_member(
        member=member, moderator=giver, until=timezone.now() + timedelta(days=3), reason="Rude"
    )
    penalty = Penalty.objects.get(member=member)
    appeal = moderation.appeal(penalty=penalty, member=member, text="It was a joke.")
    mo, nina = make_moderator(), make_moderator()
    ref = f"appeal:{appeal.pk}"

    results = _decide_at_once(
        lambda: actions.decide_item(ref=ref, decision="uphold", moderator=mo, reason="Stands"),
        lambda: actions.decide_item(ref=ref, decision="lift", moderator=nina, reason="Fair"),
    )

    told = [r for r in results if isinstance(r, StaleItem)]
    assert len(told) == 1, results
    assert told[0].message == (
        "Another moderator has already decided this appeal; nothing changed."
    )
    winner = mo if isinstance(results[1], StaleItem) else nina
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.decided_by == winner
    penalty.refresh_from_db()
    member.refresh_from_db()
    if winner == mo:
        assert appeal.decision == "uphold" and appeal.reply == "Stands"
        assert penalty.lifted_at is None and member.is_silenced
    else:
        assert appeal.decision == "lift" and appeal.reply == "Fair"
        assert penalty.lifted_by == nina and not member.is_silenced
