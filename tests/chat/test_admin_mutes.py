"""The Wagtail admin's mute screens are one more door to mute_member / unmute_member:
the same rules as the room page, the moderator on the row and in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community.chat import actions
from community.chat.models import RoomMute
from tests.chat.factories import make_room

pytestmark = pytest.mark.django_db

MUTES = "/admin/snippets/chat/roommute/"


def _until(**delta) -> str:
    return timezone.localtime(timezone.now() + timedelta(**delta)).strftime("%Y-%m-%d %H:%M")


def _assert_turned_away(response) -> None:
    """A staff member without the permission gets the 403 page (hearth/admin_denied.py)."""
    assert response.status_code == 403


def _add(client, room, member, *, until: str | None = None, reason: str = "cool off"):
    data = {
        "room": room.pk,
        "member": member.pk,
        "until": until or _until(hours=2),
        "reason": reason,
    }
    return client.post(f"{MUTES}add/", data)


def test_a_moderator_mutes_in_the_admin_and_is_recorded_as_the_moderator(
    moderator_client, moderator, member
):
    room = make_room()
    response = _add(moderator_client, room, member)
    assert response.status_code == 302, response.content.decode()[:3000]
    mute = RoomMute.objects.get()
    assert mute.member == member and mute.room == room and mute.is_active
    assert mute.moderator == moderator
    assert timedelta(minutes=118) < mute.until - timezone.now() <= timedelta(minutes=121)
    entry = ModelLogEntry.objects.get(action="hearth.chat.mute")
    assert entry.user_id == moderator.pk
    assert entry.data["member"] == member.username and entry.data["reason"] == "cool off"


def test_an_editor_sees_mutes_but_cannot_add_one_in_the_admin(editor_client, member):
    listing = editor_client.get(MUTES)
    assert listing.status_code == 200
    assert f'href="{MUTES}add/"' not in listing.content.decode()
    _assert_turned_away(editor_client.get(f"{MUTES}add/"))
    _assert_turned_away(_add(editor_client, make_room(), member))
    assert not RoomMute.objects.exists()
    assert not ModelLogEntry.objects.filter(action="hearth.chat.mute").exists()


def test_a_member_cannot_open_the_mute_screens(member_client, other_member):
    assert member_client.get(f"{MUTES}add/").status_code == 403
    assert _add(member_client, make_room(), other_member).status_code == 403
    assert not RoomMute.objects.exists()


@pytest.mark.parametrize("target", ["moderator", "editor"])
def test_a_moderator_cannot_mute_staff_or_themselves_in_the_admin(
    request, moderator_client, target
):
    response = _add(moderator_client, make_room(), request.getfixturevalue(target))
    assert response.status_code == 200
    assert "Moderators cannot mute staff or themselves." in response.content.decode()
    assert not RoomMute.objects.exists()


def test_the_admin_keeps_a_mute_between_a_minute_and_thirty_days(moderator_client, member):
    room = make_room()
    for until in (_until(minutes=-5), _until(days=31)):
        response = _add(moderator_client, room, member, until=until)
        assert response.status_code == 200
        assert "A mute lasts between 1 minute and 30 days." in response.content.decode()
    assert not RoomMute.objects.exists()


def test_editing_a_mute_in_the_admin_renews_it_for_the_same_member(
    moderator_client, moderator, member, other_member
):
    room = make_room()
    mute = actions.mute_member(room=room, member=member, moderator=moderator, minutes=10)
    response = moderator_client.post(
        f"{MUTES}edit/{mute.pk}/",
        # The room and member cannot change: a posted other member is ignored.
        {"room": room.pk, "member": other_member.pk, "until": _until(days=1), "reason": "again"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    mute = RoomMute.objects.get()
    assert mute.member == member and mute.reason == "again"
    assert mute.until > timezone.now() + timedelta(hours=23)
    assert ModelLogEntry.objects.filter(action="hearth.chat.mute", user=moderator).count() == 2


def test_deleting_a_mute_in_the_admin_lifts_it_with_an_audit_entry(
    moderator_client, moderator, member
):
    room = make_room()
    mute = actions.mute_member(room=room, member=member, moderator=moderator, minutes=10)
    response = moderator_client.post(f"{MUTES}delete/{mute.pk}/")
    assert response.status_code == 302
    assert not RoomMute.objects.exists()
    entry = ModelLogEntry.objects.get(action="hearth.chat.unmute")
    assert entry.user_id == moderator.pk and entry.data["member"] == member.username


def test_an_editor_cannot_lift_a_mute_in_the_admin(editor_client, moderator, member):
    mute = actions.mute_member(room=make_room(), member=member, moderator=moderator, minutes=10)
    _assert_turned_away(editor_client.post(f"{MUTES}delete/{mute.pk}/"))
    assert RoomMute.objects.filter(pk=mute.pk).exists()
    assert not ModelLogEntry.objects.filter(action="hearth.chat.unmute").exists()


def test_the_bulk_delete_lifts_each_mute_with_an_audit_entry(
    moderator_client, moderator, member, other_member
):
    room = make_room()
    mutes = [
        actions.mute_member(room=room, member=person, moderator=moderator, minutes=10)
        for person in (member, other_member)
    ]
    url = "/admin/bulk/chat/roommute/delete/?" + "&".join(f"id={m.pk}" for m in mutes)
    response = moderator_client.post(url)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not RoomMute.objects.exists()
    assert ModelLogEntry.objects.filter(action="hearth.chat.unmute", user=moderator).count() == 2


def test_an_editor_cannot_bulk_delete_mutes(editor_client, moderator, member):
    mute = actions.mute_member(room=make_room(), member=member, moderator=moderator, minutes=10)
    editor_client.post(f"/admin/bulk/chat/roommute/delete/?id={mute.pk}")
    assert RoomMute.objects.filter(pk=mute.pk).exists()
    assert not ModelLogEntry.objects.filter(action="hearth.chat.unmute").exists()
