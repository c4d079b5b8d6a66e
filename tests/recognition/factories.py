"""Challenges, surprise settings and warm actions for the recognition tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from community.models import User
from recognition.models import Challenge, SurpriseSettings
from referrals import engagement

_keys = itertools.count(1)


def make_challenge(**overrides) -> Challenge:
    today = timezone.localdate()
    values = {
        "title": "Answer 2 questions",
        "description": "Help two people in the forum this week.",
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=6),
        "action": "post",
        "goal": 2,
        "reward_points": 20,
        "audience": "all",
        **overrides,
    }
    return Challenge.objects.create(**values)


def warm_action(
    member: User,
    action: str = "post",
    *,
    key: str | None = None,
    when: datetime | None = None,
) -> engagement.Recorded | None:
    """One warm action through the one door (as the forum, the guides, the chat do)."""
    return engagement.record(
        member=member,
        action=action,
        key=key or f"forum.post:{next(_keys)}",
        reason="A reply in the forum",
        when=when,
    )


def surprise_settings(**values) -> SurpriseSettings:
    config = SurpriseSettings.load()
    for name, value in values.items():
        setattr(config, name, value)
    config.save()
    return config
