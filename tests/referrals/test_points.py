from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.signals import content_published, content_removed, reaction_added
from referrals import points
from referrals.models import PointsEntry, PointsRule
from tests.factories import make_member
from tests.referrals.factories import FakeContent

pytestmark = pytest.mark.django_db


def _publish(author, n, kind="post", label="forum.post"):
    content_published.send(
        sender=FakeContent, author=author, obj=FakeContent(label, n), kind=kind, container=None
    )


def _react(obj, author, reactor, kind="like"):
    reaction_added.send(
        sender=FakeContent,
        obj=obj,
        author=author,
        reactor=reactor,
        kind=kind,
        container=None,
        converts=True,
    )


def test_taking_part_earns_points_from_the_rules_table(member):
    _publish(member, 1, "topic", "forum.topic")
    _publish(member, 2, "post")
    _publish(member, 3, "guide", "blog.guidepage")
    _publish(member, 4, "chat", "chat.chatmessage")
    assert points.balance(member) == 3 + 2 + 30 + 1


def test_the_same_contribution_is_paid_once(member):
    _publish(member, 1)
    _publish(member, 1)
    assert PointsEntry.objects.filter(member=member).count() == 1


def test_a_rule_caps_the_rewards_per_day(member):
    PointsRule.objects.filter(action="post").update(cap=3)
    points.forget_rules()
    for n in range(5):
        _publish(member, n)
    assert PointsEntry.objects.filter(member=member).count() == 3
    assert points.balance(member) == 6


def test_the_cap_starts_again_the_next_period(member):
    PointsRule.objects.filter(action="post").update(cap=1)
    points.forget_rules()
    yesterday = timezone.now() - timedelta(days=1)
    assert points.reward(
        member=member, action="post", key="forum.post:1", reason="x", when=yesterday
    )
    assert points.reward(member=member, action="post", key="forum.post:2", reason="x")
    assert not points.reward(member=member, action="post", key="forum.post:3", reason="x")


def test_a_monthly_cap(member):
    PointsRule.objects.filter(action="guide").update(cap=2, cap_period="month")
    points.forget_rules()
    for n in range(3):
        _publish(member, n, "guide", "blog.guidepage")
    assert points.balance(member) == 60


def test_a_switched_off_rule_pays_nothing(member):
    PointsRule.objects.filter(action="chat").update(enabled=False)
    points.forget_rules()
    _publish(member, 1, "chat", "chat.chatmessage")
    assert points.balance(member) == 0


def test_editing_a_rule_takes_effect_without_a_restart(member, django_capture_on_commit_callbacks):
    points.rules()  # cached
    rule = PointsRule.objects.get(action="post")
    rule.points = 7
    with django_capture_on_commit_callbacks(execute=True):
        rule.save()
    _publish(member, 1)
    assert points.balance(member) == 7


def test_removed_content_gives_its_points_back(member):
    _publish(member, 1)
    content_removed.send(
        sender=FakeContent,
        author=member,
        obj=FakeContent("forum.post", 1),
        kind="post",
        container=None,
    )
    assert points.balance(member) == 0
    assert PointsEntry.objects.filter(member=member, amount=-2).count() == 1


def test_a_reaction_received_earns_a_point_once_per_person(member, other_member):
    post = FakeContent("forum.post", 1)
    for _ in range(2):
        _react(post, member, other_member)
    _react(post, member, make_member(), kind="heart")
    assert points.balance(member) == 2


def test_reacting_to_yourself_earns_nothing(member):
    _react(FakeContent("forum.post", 1), member, member)
    assert points.balance(member) == 0


def test_a_reversal_happens_once(member):
    entry = points.reward(member=member, action="post", key="forum.post:1", reason="x")
    assert points.reverse(entry=entry, reason="removed")
    assert points.reverse(entry=entry, reason="removed again") is None
    assert points.balance(member) == 0


def test_a_member_at_the_cap_costs_two_queries_not_one_per_slot(
    member, django_assert_max_num_queries
):
    points.rules()  # the rules come from the cache after the first read
    for n in range(10):
        points.reward(member=member, action="chat", key=f"chat:{n}", reason="chat")
    assert PointsEntry.objects.filter(member=member).count() == 10  # the daily cap
    with django_assert_max_num_queries(2):
        assert points.reward(member=member, action="chat", key="chat:11", reason="chat") is None
