"""Warm actions under races on PostgreSQL: the same action delivered many times at once
is recorded and paid once, and a capped rule pays no more than its cap however many
different actions arrive together.

Each thread has its own connection and transaction, as separate workers would.
"""

from __future__ import annotations

import pytest

from referrals import engagement, points
from referrals.models import MemberAction, PointsEntry, PointsRule
from tests.factories import make_member
from tests.integration.races import THREADS, race

pytestmark = pytest.mark.django_db(transaction=True)


def _solution(member, key: str):
    return engagement.record(
        member=member,
        action=PointsRule.Action.SOLUTION,
        key=key,
        reason="Your reply in 'Rye starters' was marked as the solution",
    )


def test_one_warm_action_delivered_at_once_by_many_workers_pays_once(requires_postgres):
    member = make_member()

    results = race(lambda i: _solution(member, "forum.post:1"))

    assert sum(1 for r in results if r is not None) == 1
    assert MemberAction.objects.filter(member=member).count() == 1
    assert PointsEntry.objects.filter(member=member).count() == 1
    assert points.balance(member) == points.rules()[PointsRule.Action.SOLUTION][0]


def test_many_different_actions_at_once_pay_no_more_than_the_cap(requires_postgres):
    PointsRule.objects.update_or_create(
        action=PointsRule.Action.SOLUTION,
        defaults={"points": 15, "cap": 3, "cap_period": PointsRule.Period.DAY, "enabled": True},
    )
    points.forget_rules()
    member = make_member()

    race(lambda i: _solution(member, f"forum.post:{i}"))

    # Every solution counts (badges and challenges read these); only three are paid.
    assert MemberAction.objects.filter(member=member).count() == THREADS
    assert PointsEntry.objects.filter(member=member).count() == 3
    assert points.balance(member) == 45
