"""Two moderators decide the same inbox item at the same instant (PostgreSQL).

Each moderator works in their own thread with their own connection and transaction, as
two web workers would; a barrier starts them together. Exactly one decision stands and
the other moderator is told it was already decided (StaleItem), with nothing changed.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from community.forum.models import Flag, FlagOutcome
from community.inbox import actions
from community.review import StaleItem
from referrals.models import Referral, Status
from tests.factories import make_moderator
from tests.inbox.conftest import flagged_post, held_referral

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*works) -> list:
    barrier = threading.Barrier(len(works))
    results: list = [None] * len(works)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = works[index]()
        except StaleItem as told:
            results[index] = told
        except Exception as exc:  # reported to the test, never swallowed
            results[index] = RuntimeError(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [r for r in results if isinstance(r, RuntimeError)], results
    return results


def test_hide_and_dismiss_of_one_flagged_post_at_once_leave_one_decision(requires_postgres):
    post = flagged_post()
    mo, nina = make_moderator(), make_moderator()
    ref = f"flag:{post.pk}"

    results = _race(
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

    results = _race(
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
