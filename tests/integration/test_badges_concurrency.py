"""Races on PostgreSQL: a badge earned by several requests at the same instant is granted
once and announced once.

Each thread has its own database connection and transaction, as separate web workers
would; a barrier starts them together.
"""

from __future__ import annotations

import pytest

from community.models import Notification
from referrals import badges, engagement
from referrals.models import MemberAction, MemberBadge, PointsRule
from tests.factories import make_member
from tests.integration.races import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_grants_of_one_badge_at_once_grant_it_once(requires_postgres):
    member = make_member()
    badge = badges.BY_KEY["first_solution"]
    results = race(lambda i: badges.grant(member=member, badge=badge))
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
    race(
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
