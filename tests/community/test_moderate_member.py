from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community import actions
from community.actions import ModerationError
from community.signals import member_suspended
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db


def _later():
    return timezone.now() + timedelta(days=3)


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
    _moderate(moderator_client, member, action="lift", reason="Talked it through")
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


def test_it_does_not_let_a_moderator_moderate_themselves(moderator_client, moderator):
    response = _moderate(moderator_client, moderator, action="silence", days=1, reason="x")
    assert "cannot silence or suspend staff or themselves" in response.content.decode()
    moderator.refresh_from_db()
    assert not moderator.is_silenced


def test_it_does_not_let_a_moderator_silence_another_moderator(moderator_client):
    colleague = make_moderator(username="other_mo")
    response = _moderate(moderator_client, colleague, action="silence", days=1, reason="x")
    assert "cannot silence or suspend staff or themselves" in response.content.decode()
    colleague.refresh_from_db()
    assert not colleague.is_silenced


def test_it_forbids_editors_from_moderating(editor_client, member):
    response = editor_client.post(
        f"/members/{member.username}/moderate/", {"action": "silence", "days": 1, "reason": "x"}
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.is_silenced


def test_it_only_accepts_post(moderator_client, member):
    assert moderator_client.get(f"/members/{member.username}/moderate/").status_code == 405


# --- the rules live in the actions, whichever door calls them ----------------------------


@pytest.mark.parametrize("verb", ["suspend_member", "silence_member"])
def test_a_member_cannot_silence_or_suspend_through_the_action(verb, member, other_member):
    with pytest.raises(PermissionDenied):
        getattr(actions, verb)(member=other_member, moderator=member, until=_later(), reason="x")
    other_member.refresh_from_db()
    assert not other_member.is_suspended and not other_member.is_silenced
    assert not ModelLogEntry.objects.exists()


@pytest.mark.parametrize("verb", ["suspend_member", "silence_member"])
@pytest.mark.parametrize("target", ["moderator", "editor"])
def test_a_moderator_cannot_penalise_staff_or_themselves_through_the_action(
    request, verb, target, moderator
):
    person = request.getfixturevalue(target)
    with pytest.raises(ModerationError, match="staff or themselves") as refused:
        getattr(actions, verb)(member=person, moderator=moderator, until=_later(), reason="x")
    assert refused.value.code == "forbidden"
    person.refresh_from_db()
    assert not person.is_suspended and not person.is_silenced


def test_a_member_cannot_lift_a_suspension_through_the_action(member, other_member, moderator):
    actions.suspend_member(member=other_member, moderator=moderator, until=_later(), reason="x")
    with pytest.raises(PermissionDenied):
        actions.unsuspend_member(member=other_member, moderator=member)
    other_member.refresh_from_db()
    assert other_member.is_suspended


def test_suspending_tells_the_rest_of_the_site_after_commit(
    member, moderator, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, **kwargs):
        heard.append((kwargs["member"], kwargs["moderator"], kwargs["reason"]))

    member_suspended.connect(listener, dispatch_uid="test-suspended")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.suspend_member(member=member, moderator=moderator, until=_later(), reason="x")
            assert heard == []
    finally:
        member_suspended.disconnect(dispatch_uid="test-suspended")
    assert heard == [(member, moderator, "x")]
