"""Races on PostgreSQL: duplicate deliveries, parallel award runs and conversions pay once.

Each test starts several threads at the same instant (a barrier); every thread has its
own database connection and transaction, as separate web workers would.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client

from community.models import Notification
from referrals import actions, invites, points
from referrals.models import (
    Award,
    AwardRun,
    Invite,
    PointsEntry,
    PointsRule,
    Purchase,
    ReferralEvent,
    ReferralScore,
    Stage,
    ThankYouTask,
)
from referrals.periods import month_of
from tests.factories import make_member
from tests.integration.races import THREADS, race
from tests.referrals.factories import WEBHOOK_SECRET, make_referral, post_webhook, webhook_body

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _shop(settings):
    settings.SHOP_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_webhook_delivered_many_times_at_once_pays_once(requires_postgres):
    referrer = make_member()
    buyer = make_member(email="buyer@example.com")
    referral = make_referral(referrer=referrer, referee=buyer, stage=Stage.ACTIVE)
    body = webhook_body(order_id="order-race")

    responses = race(lambda i: post_webhook(Client(), body))

    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 200: THREADS - 1}
    assert {r.json()["status"] for r in responses if r.status_code == 200} == {"duplicate"}
    assert Purchase.objects.count() == 1
    assert ReferralEvent.objects.filter(referral=referral, stage=Stage.CONVERTED).count() == 1
    assert PointsEntry.objects.filter(member=referrer).count() == 1
    assert points.balance(referrer) == 25
    assert ReferralScore.objects.get(member=referrer, period="all").converted == 1


def test_different_orders_of_one_buyer_at_once_convert_once(requires_postgres):
    referrer = make_member()
    buyer = make_member(email="buyer@example.com")
    make_referral(referrer=referrer, referee=buyer, stage=Stage.ACTIVE)

    responses = race(lambda i: post_webhook(Client(), webhook_body(order_id=f"order-{i}")))

    assert all(r.status_code == 201 for r in responses)
    outcomes = Counter(r.json()["outcome"] for r in responses)
    assert outcomes == {"converted": 1, "already_converted": THREADS - 1}
    assert points.balance(referrer) == 25


def test_a_reaction_a_guide_and_a_purchase_at_once_convert_once(requires_postgres):
    referrer = make_member()
    referral = make_referral(referrer=referrer, stage=Stage.ACTIVE)
    vias = ["reaction", "guide", "purchase"] * 2

    results = race(
        lambda i: actions.convert_referral(referral=referral, via=vias[i], object_key=f"x.y:{i}"),
        count=len(vias),
    )

    assert results.count(True) == 1
    assert ReferralEvent.objects.filter(referral=referral, stage=Stage.CONVERTED).count() == 1
    assert PointsEntry.objects.filter(member=referrer).count() == 1
    assert ReferralScore.objects.get(member=referrer, period=month_of().key).converted == 1


def test_parallel_award_runs_write_exactly_one_award_set(requires_postgres):
    period = month_of().previous()
    for n, converted in enumerate([7, 7, 4, 2, 2, 1]):
        member = make_member(username=f"rec{n}")
        ReferralScore.objects.create(member=member, period=period.key, converted=converted)

    outputs = race(
        lambda i: _run_award(period.key),
    )

    assert AwardRun.objects.filter(period=period.key).count() == 1
    assert sorted(Award.objects.values_list("rank", "member__username")) == [
        (1, "rec0"),
        (1, "rec1"),
        (2, "rec2"),
        (3, "rec3"),
        (3, "rec4"),
    ]
    assert ThankYouTask.objects.count() == 5
    assert Notification.objects.filter(kind="referral_award").count() == 5
    assert sum("already awarded" in out for out in outputs) == THREADS - 1


def _run_award(period: str) -> str:
    out = io.StringIO()
    call_command("award_top_recommenders", "--period", period, stdout=out)
    return out.getvalue()


def test_invites_sent_at_once_keep_to_the_daily_limit(requires_postgres, settings):
    settings.REFERRAL_INVITES_PER_DAY = 10
    sender = make_member()

    def invite(i: int):
        try:
            return invites.send_invites(
                sender=sender, emails=[f"a{i}@example.org", f"b{i}@example.org"]
            )
        except actions.ReferralError:
            return "refused"

    results = race(invite)
    assert Invite.objects.filter(sender=sender).count() == 10
    assert results.count("refused") == THREADS - 5


def test_capped_rewards_earned_at_once_keep_to_the_cap(requires_postgres):
    # (transactional tests empty the tables, seeded rules included)
    PointsRule.objects.update_or_create(action="post", defaults={"points": 2, "cap": 3})
    points.forget_rules()
    member = make_member()

    race(
        lambda i: points.reward(
            member=member, action="post", key=f"forum.post:{i}", reason="a post"
        )
    )

    assert PointsEntry.objects.filter(member=member).count() == 3
