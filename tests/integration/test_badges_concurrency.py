"""Races on PostgreSQL: a badge earned by several requests at the same instant is granted
once and announced once.

Each thread has its own database connection and transaction, as separate web workers
would; a barrier starts them together.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from community.models import Notification
from referrals import badges, engagement
from referrals.models import MemberAction, MemberBadge, PointsRule
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def _race(work, count: int = THREADS) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:  # reported to the test, never swallowed
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def test_grants_of_one_badge_at_once_grant_it_once(requires_postgres):
    member = make_member()
    badge = badges.BY_KEY["first_solution"]
    results = _race(lambda i: badges.grant(member=member, badge=badge))
    assert sum(result is not None for result in results) == 1
    assert MemberBadge.objects.filter(member=member, badge=badge.key).count() == 1
    assert Notification.objects.filter(recipient=member, kind="badge_earned").count() == 1


def test_solutions_recorded_at_once_grant_each_badge_once(requires_postgres):
    member = make_member()
    MemberAction.objects.bulk_create(
        MemberAction(
            member=member, action=PointsRule.Action.SOLUTION, key=f"solution:old:{n}", reason="-"
        )
        for n in range(9)
    )
    # Eight solutions marked at once: each thread may see ten or more and try to grant.
    _race(
        lambda i: engagement.record(
            member=member,
            action=PointsRule.Action.SOLUTION,
            key=f"forum.post:{i}",
            reason="Marked as the solution",
        )
    )
    held = list(MemberBadge.objects.filter(member=member).values_list("badge", flat=True))
    assert sorted(held) == ["first_solution", "helping_hand"]
    assert Notification.objects.filter(recipient=member, kind="badge_earned").count() == 2
