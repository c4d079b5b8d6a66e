from __future__ import annotations

import pytest
from wagtail.models import ModelLogEntry

pytestmark = pytest.mark.django_db


def _moderate(client, member, **data):
    return client.post(f"/members/{member.username}/moderate/", data, follow=True)


def test_it_lets_a_moderator_suspend_a_member_with_a_reason(moderator_client, member):
    response = _moderate(moderator_client, member, action="suspend", days=3, reason="Spam")
    assert "is suspended until" in response.content.decode()
    member.refresh_from_db()
    assert member.is_suspended
    assert member.suspension_reason == "Spam"
    assert ModelLogEntry.objects.filter(action="hearth.member.suspend").exists()


def test_it_lets_a_moderator_silence_and_then_lift(moderator_client, member):
    _moderate(moderator_client, member, action="silence", days=1, reason="Cool off")
    member.refresh_from_db()
    assert member.is_silenced
    _moderate(moderator_client, member, action="lift")
    member.refresh_from_db()
    assert not member.is_silenced and not member.is_suspended


def test_it_requires_a_reason(moderator_client, member):
    response = _moderate(moderator_client, member, action="suspend", days=3, reason=" ")
    assert "Give a reason" in response.content.decode()
    member.refresh_from_db()
    assert not member.is_suspended


def test_it_forbids_members_from_moderating(other_member_client, member):
    response = other_member_client.post(
        f"/members/{member.username}/moderate/", {"action": "suspend", "days": 3, "reason": "x"}
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.is_suspended


def test_it_does_not_let_a_moderator_suspend_staff(moderator_client, editor):
    response = _moderate(moderator_client, editor, action="suspend", days=3, reason="x")
    assert "cannot silence or suspend staff" in response.content.decode()
    editor.refresh_from_db()
    assert not editor.is_suspended


def test_it_shows_the_moderation_box_only_to_moderators(
    moderator_client, other_member_client, member
):
    assert (
        "Moderate this member"
        in moderator_client.get(f"/members/{member.username}/").content.decode()
    )
    assert (
        "Moderate this member"
        not in other_member_client.get(f"/members/{member.username}/").content.decode()
    )
