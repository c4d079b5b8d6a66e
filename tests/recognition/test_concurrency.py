"""Races on PostgreSQL: the surprise budget holds and a challenge pays once.

Threads start at the same instant (a barrier); each has its own database connection and
transaction, as separate web workers would. A process holds at most 10 connections (its
pool, DATABASE_POOL_MAX_SIZE) and the test keeps one, so 200 actions go through 8
workers, 25 each.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum

from community.models import Notification
from recognition.models import ChallengeCompletion, SurpriseBudget, SurpriseDraw
from referrals import engagement
from referrals.models import PointsEntry
from tests.factories import make_member
from tests.recognition.factories import make_challenge, surprise_settings

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 8
ACTIONS = 200


def _race(work, workers: int, per_worker: int = 1) -> None:
    barrier = threading.Barrier(workers)
    errors: list[Exception] = []

    def run(worker: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(per_worker):
                work(worker * per_worker + n)
        except Exception as exc:  # reported to the test, never swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker is stuck"
    assert not errors, errors


def test_concurrent_wins_never_spend_more_than_the_monthly_budget(requires_postgres):
    surprise_settings(odds=1, monthly_budget=50, min_points=1, max_points=5)
    members = [make_member(username=f"racer{n}") for n in range(20)]

    _race(
        lambda i: engagement.record(
            member=members[i % len(members)],
            action="post",
            key=f"forum.post:{i}",
            reason="A reply in the forum",
        ),
        workers=WORKERS,
        per_worker=ACTIONS // WORKERS,
    )

    assert SurpriseDraw.objects.count() == ACTIONS  # every draw recorded
    paid = (
        PointsEntry.objects.filter(idempotency_key__startswith="surprise:").aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    assert paid == 50
    assert SurpriseBudget.objects.get().spent == 50
    won = SurpriseDraw.objects.filter(outcome="won")
    assert won.aggregate(total=Sum("amount"))["total"] == 50
    assert Counter(SurpriseDraw.objects.values_list("outcome", flat=True)) == {
        "won": won.count(),
        "budget_spent": ACTIONS - won.count(),
    }
    # Each win saw what the earlier ones left: the amounts left before add up exactly.
    lefts = sorted(won.values_list("budget_left", "amount"), reverse=True)
    for (left, amount), (next_left, _) in zip(lefts, lefts[1:], strict=False):
        assert next_left == left - amount
    assert Notification.objects.filter(kind="surprise").count() == won.count()


def test_actions_at_once_complete_a_challenge_once(requires_postgres):
    challenge = make_challenge(goal=2, reward_points=20)
    member = make_member(username="maya")

    _race(
        lambda i: engagement.record(
            member=member, action="post", key=f"forum.post:{i}", reason="A reply"
        ),
        workers=8,
    )

    assert ChallengeCompletion.objects.get().challenge == challenge
    key = f"challenge:{challenge.pk}:member:{member.pk}"
    assert PointsEntry.objects.filter(idempotency_key=key).count() == 1
    assert Notification.objects.filter(kind="challenge_completed").count() == 1
