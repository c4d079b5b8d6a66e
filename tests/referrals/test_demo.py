from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import time_machine

from community import demo as people
from referrals import demo, leaderboard
from referrals.models import (
    Award,
    PointsEntry,
    Referral,
    ReferralEvent,
    ReferralLink,
    Stage,
    Status,
    Visit,
)
from referrals.periods import month_of

pytestmark = pytest.mark.django_db


def _counts():
    return [
        model.objects.count()
        for model in (ReferralLink, Visit, Referral, ReferralEvent, PointsEntry, Award)
    ]


def test_the_demo_has_every_stage_a_held_referral_and_a_tie(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    people.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    stages = set(Referral.objects.values_list("stage", flat=True))
    assert stages == {Stage.SIGNED_UP, Stage.JOINED, Stage.ACTIVE, Stage.CONVERTED}
    assert Referral.objects.filter(status=Status.HELD).count() == 1
    rows = leaderboard.board(month_of().key)
    assert [(r.rank, r.member.username) for r in rows[:2]] == [(1, "ana"), (1, "maya")]
    assert Award.objects.filter(period=month_of().previous().key).exists()
    assert Visit.objects.exists()


@time_machine.travel(datetime(2026, 12, 1, 0, 10, tzinfo=UTC), tick=False)
def test_on_the_first_morning_of_a_month_the_demo_board_already_has_its_tie(settings):
    # The demo's conversions of "this month" happened an hour ago: on the 1st at 00:10
    # that was last month, and `make run` showed an empty board for this one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    people.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    rows = leaderboard.board(month_of().key)
    assert [(r.rank, r.member.username) for r in rows[:2]] == [(1, "ana"), (1, "maya")]


def test_loading_the_demo_twice_changes_nothing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    people.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    before = _counts()
    demo.load(stdout=io.StringIO())
    assert _counts() == before
