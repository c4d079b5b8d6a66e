"""Moderators delete any message (gone live for everyone) and mute members; all audited."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse
from wagtail.models import ModelLogEntry

from community.chat import actions
from community.chat.actions import ChatError
from community.chat.models import ChatMessage, RoomMute
from tests.chat.factories import make_message, make_room
from tests.chat.helpers import open_socket, receive_until


@pytest.mark.django_db(transaction=True)
async def test_a_moderators_delete_disappears_live_for_everyone(member, other_member, moderator):
    room = await sync_to_async(make_room)()
    message = await sync_to_async(make_message)(room, member, "something rude")
    mo, _ = await open_socket(room, moderator)
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    await mo.send_json_to({"type": "delete", "id": message.pk})
    assert await receive_until(sam, "deleted") == {"type": "deleted", "id": message.pk}
    assert await receive_until(maya, "deleted") == {"type": "deleted", "id": message.pk}
    await sync_to_async(message.refresh_from_db)()
    assert message.deleted_by_id == moderator.pk
    entry = await sync_to_async(ModelLogEntry.objects.get)(action="hearth.chat.delete")
    assert entry.user_id == moderator.pk
    assert entry.data["author"] == "maya" and entry.data["body"] == "something rude"
    # Gone from history too.
    await sam.send_json_to({"type": "since", "after": 0})
    frame = await receive_until(sam, "synced")
    assert frame["last_id"] == 0
    for socket in (mo, maya, sam):
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_muted_member_cannot_send_in_that_room_only(member, moderator):
    room = await sync_to_async(make_room)()
    other_room = await sync_to_async(make_room)()
    await sync_to_async(actions.mute_member)(
        room=room, member=member, moderator=moderator, minutes=60, reason="heated"
    )
    socket, ready = await open_socket(room, member)
    assert ready["can_send"] is False and "muted" in ready["refusal"]
    await socket.send_json_to({"type": "send", "body": "but"})
    assert (await receive_until(socket, "error"))["code"] == "muted"
    await socket.disconnect()
    elsewhere, _ = await open_socket(other_room, member)
    await elsewhere.send_json_to({"type": "send", "body": "fine here"})
    assert (await receive_until(elsewhere, "message"))["message"]["body"] == "fine here"
    await elsewhere.disconnect()


def test_muting_is_audited_and_renewing_replaces_the_mute(db, member, moderator):
    room = make_room()
    actions.mute_member(room=room, member=member, moderator=moderator, minutes=10, reason="a")
    actions.mute_member(room=room, member=member, moderator=moderator, minutes=60, reason="b")
    mute = RoomMute.objects.get()
    assert mute.reason == "b" and mute.is_active
    assert ModelLogEntry.objects.filter(action="hearth.chat.mute").count() == 2
    assert actions.unmute_member(room=room, member=member, moderator=moderator)
    assert not RoomMute.objects.exists()
    assert ModelLogEntry.objects.filter(action="hearth.chat.unmute").count() == 1


def test_moderators_cannot_mute_staff_or_themselves(db, moderator, editor):
    room = make_room()
    for target in (moderator, editor):
        with pytest.raises(ChatError):
            actions.mute_member(room=room, member=target, moderator=moderator, minutes=10)
    assert not RoomMute.objects.exists()


def test_a_member_cannot_mute(db, member, other_member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.mute_member(room=make_room(), member=other_member, moderator=member, minutes=10)


def test_the_mute_form_mutes_and_redirects(db, moderator_client, member):
    room = make_room()
    response = moderator_client.post(
        reverse("chat:mute", args=[room.slug]),
        {"username": "@maya", "minutes": "60", "reason": "cool off"},
    )
    assert response.status_code == 302 and response.url == room.get_absolute_url()
    assert RoomMute.objects.get().member == member


@pytest.mark.parametrize("method", ["get", "put"])
def test_the_mute_form_only_accepts_post(db, moderator_client, method):
    room = make_room()
    assert (
        getattr(moderator_client, method)(reverse("chat:mute", args=[room.slug])).status_code == 405
    )


def test_members_and_visitors_cannot_use_the_mute_form(
    db, member_client, visitor_client, other_member
):
    room = make_room()
    url = reverse("chat:mute", args=[room.slug])
    data = {"username": "sam", "minutes": "60"}
    assert member_client.post(url, data).status_code == 403
    assert visitor_client.post(url, data).status_code == 302
    assert not RoomMute.objects.exists()


def test_the_mute_form_explains_an_unknown_member(db, moderator_client):
    room = make_room()
    response = moderator_client.post(
        reverse("chat:mute", args=[room.slug]), {"username": "nobody", "minutes": "60"}, follow=True
    )
    assert "There is no member called nobody." in response.content.decode()
    assert not RoomMute.objects.exists()


def test_a_moderator_deleting_their_own_message_is_not_audited(db, moderator):
    room = make_room()
    message = make_message(room, moderator)
    actions.delete_message(message=message, actor=moderator)
    assert not ModelLogEntry.objects.filter(action="hearth.chat.delete").exists()
    assert ChatMessage.objects.visible().count() == 0


@pytest.mark.parametrize("target", ["mo", "eddie"])
def test_the_mute_form_explains_that_staff_and_oneself_cannot_be_muted(
    db, moderator_client, editor, target
):
    room = make_room()
    response = moderator_client.post(
        reverse("chat:mute", args=[room.slug]), {"username": target, "minutes": "60"}, follow=True
    )
    assert "Moderators cannot mute staff or themselves." in response.content.decode()
    assert not RoomMute.objects.exists()


def test_an_editor_cannot_use_the_mute_form(db, editor_client, member):
    room = make_room()
    response = editor_client.post(
        reverse("chat:mute", args=[room.slug]), {"username": "maya", "minutes": "60"}
    )
    assert response.status_code == 403
    assert not RoomMute.objects.exists()
