"""The surprise: a random bonus for a warm action, within a monthly budget, every draw kept."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db.models import Q, Sum
from django.utils import timezone

from community.models import Notification
from recognition import surprise
from recognition.models import SurpriseBudget, SurpriseDraw
from referrals import engagement, points
from referrals.models import MemberAction, PointsEntry, PointsRule
from referrals.periods import month_of
from tests.recognition.factories import make_challenge, surprise_settings, warm_action

pytestmark = pytest.mark.django_db


class Fixed(random.Random):
    """Draws ``value`` every time, and the top of any range."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value

    def randint(self, a: int, b: int) -> int:
        return b


def _surprise_points(member=None) -> int:
    # Surprises paid, and any taken back (their reversing rows).
    rows = PointsEntry.objects.filter(
        Q(idempotency_key__startswith="surprise:")
        | Q(idempotency_key__startswith="reverse:surprise:")
    )
    if member is not None:
        rows = rows.filter(member=member)
    return rows.aggregate(total=Sum("amount"))["total"] or 0


def test_odds_of_zero_never_win_or_draw(member, on_commit):
    surprise_settings(odds=0, monthly_budget=100)
    with on_commit():
        for _ in range(30):
            warm_action(member)

    assert not SurpriseDraw.objects.exists()
    assert _surprise_points() == 0
    assert not Notification.objects.filter(kind="surprise").exists()


def test_no_budget_means_no_surprise(member, on_commit):
    surprise_settings(odds=1, monthly_budget=0)
    with on_commit():
        warm_action(member)
    assert not SurpriseDraw.objects.exists()


def test_a_win_pays_tells_the_member_and_keeps_its_inputs(member, on_commit):
    surprise_settings(odds=1, monthly_budget=50, min_points=4, max_points=4)
    with on_commit():
        warm_action(member, key="forum.post:9")

    draw = SurpriseDraw.objects.get()
    assert draw.member == member
    assert draw.action_key == "post:forum.post:9"
    assert 0 <= draw.value < 1
    assert (draw.odds, draw.budget, draw.budget_left, draw.amount) == (1, 50, 50, 4)
    assert draw.outcome == SurpriseDraw.Outcome.WON
    assert draw.month == month_of().key
    entry = PointsEntry.objects.get(idempotency_key="surprise:post:forum.post:9")
    assert (entry.member, entry.amount) == (member, 4)
    assert SurpriseBudget.objects.get(month=month_of().key).spent == 4
    bell = Notification.objects.get(recipient=member, kind="surprise")
    assert bell.text == "A little surprise: +4 points — thank you for replying in the forum!"


def test_a_losing_draw_is_recorded_and_pays_nothing(member):
    surprise_settings(odds=20, monthly_budget=50)
    warm_action(member)

    draw = surprise.draw(action=MemberAction.objects.get(), rng=Fixed(0.05))  # 0.05 ≥ 1/20

    assert draw is not None
    assert (draw.outcome, draw.amount, draw.budget_left, draw.value) == ("lost", 0, 50, 0.05)
    assert _surprise_points() == 0


def test_a_number_below_one_in_the_odds_wins(member):
    surprise_settings(odds=20, monthly_budget=50, min_points=1, max_points=3)
    warm_action(member)
    draw = surprise.draw(action=MemberAction.objects.get(), rng=Fixed(0.049))
    assert (draw.outcome, draw.amount) == ("won", 3)


def test_the_budget_is_never_exceeded_and_the_last_win_is_cut_to_fit(member, other_member):
    surprise_settings(odds=1, monthly_budget=7, min_points=5, max_points=5)
    for who in (member, other_member, member):
        warm_action(who)

    draws = [
        surprise.draw(action=action, rng=Fixed(0.5))
        for action in MemberAction.objects.order_by("pk")
    ]

    assert [(d.outcome, d.budget_left, d.amount) for d in draws] == [
        ("won", 7, 5),
        ("won", 2, 2),
        ("budget_spent", 0, 0),
    ]
    assert _surprise_points() == 7
    assert SurpriseBudget.objects.get().spent == 7


def test_an_editor_lowering_the_budget_mid_month_stops_wins(member):
    surprise_settings(odds=1, monthly_budget=20, min_points=5, max_points=5)
    warm_action(member)
    warm_action(member)
    first, second = MemberAction.objects.order_by("pk")
    surprise.draw(action=first)
    surprise_settings(monthly_budget=5)

    assert surprise.draw(action=second).outcome == "budget_spent"
    assert _surprise_points() == 5


def test_a_new_month_has_a_new_budget(member):
    surprise_settings(odds=1, monthly_budget=5, min_points=5, max_points=5)
    warm_action(member)
    warm_action(member)
    first, second = MemberAction.objects.order_by("pk")
    surprise.draw(action=first)

    later = surprise.draw(action=second, now=timezone.now() + timedelta(days=32))

    assert (later.outcome, later.amount) == ("won", 5)
    assert SurpriseBudget.objects.count() == 2


def test_each_action_draws_once(member):
    surprise_settings(odds=1, monthly_budget=50)
    warm_action(member)
    action = MemberAction.objects.get()

    assert surprise.draw(action=action) is not None
    assert surprise.draw(action=action) is None
    assert SurpriseDraw.objects.count() == 1
    assert PointsEntry.objects.filter(idempotency_key__startswith="surprise:").count() == 1


def test_rewards_and_birthdays_draw_nothing(member, on_commit):
    surprise_settings(odds=1, monthly_budget=500)
    make_challenge(goal=1, action="topic", reward_points=10)
    with on_commit():
        engagement.record(member=member, action="birthday", key="2026", reason="Happy birthday")
        warm_action(member, "topic")  # draws, and completes the challenge (which does not)

    assert list(SurpriseDraw.objects.values_list("action__action", flat=True)) == ["topic"]
    assert MemberAction.objects.filter(action="challenge").exists()
    assert MemberAction.objects.filter(action="surprise").count() == 1


def test_nothing_is_drawn_while_the_surprise_rule_is_off(member, on_commit):
    surprise_settings(odds=1, monthly_budget=50)
    PointsRule.objects.update_or_create(action="surprise", defaults={"points": 0, "enabled": False})
    points.forget_rules()
    with on_commit():
        warm_action(member)
    assert not SurpriseDraw.objects.exists()


def test_a_suspended_member_draws_nothing(member):
    surprise_settings(odds=1, monthly_budget=50)
    warm_action(member)
    member.suspended_until = timezone.now() + timedelta(days=1)
    member.save(update_fields=["suspended_until"])

    assert surprise.draw(action=MemberAction.objects.get()) is None
    assert not SurpriseDraw.objects.exists()


def test_a_revoked_action_draws_nothing(member):
    surprise_settings(odds=1, monthly_budget=50)
    warm_action(member, key="forum.post:5")
    engagement.revoke(action="post", key="forum.post:5", reason="Removed")
    assert surprise.draw(action=MemberAction.objects.get()) is None


def test_a_surprise_goes_back_with_its_removed_contribution(member, on_commit):
    surprise_settings(odds=1, monthly_budget=50, min_points=4, max_points=4)
    with on_commit():
        warm_action(member, key="forum.post:5")
    with on_commit():
        engagement.revoke(action="post", key="forum.post:5", reason="Removed")

    assert _surprise_points(member) == 0  # paid, then reversed
    assert MemberAction.objects.get(action="surprise").revoked_at is not None
    assert SurpriseDraw.objects.get().outcome == "won"  # the audit keeps the draw
    assert SurpriseBudget.objects.get().spent == 4  # and the budget stays spent
