from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community import actions
from community.moderation.models import CannedReason, Penalty


@pytest.fixture
def personal_attacks(db) -> CannedReason:
    # Made by the data migration (moderation 0002).
    return CannedReason.objects.get(title="Personal attacks")


@pytest.fixture
def silence(member, moderator, personal_attacks, django_capture_on_commit_callbacks):
    """Silence ``member`` for 3 days citing "Personal attacks"; return the penalty."""

    def give(**overrides) -> Penalty:
        kwargs = {
            "member": member,
            "moderator": moderator,
            "until": timezone.now() + timedelta(days=3),
            "reason": "You called maya a troll twice.",
            "canned_reason": personal_attacks,
        } | overrides
        with django_capture_on_commit_callbacks(execute=True):
            actions.silence_member(**kwargs)
        return Penalty.objects.filter(member=kwargs["member"]).latest("id")

    return give
