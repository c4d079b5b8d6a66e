"""A muted member's open chat page is told at once: a ``standing`` frame on their socket."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from community.chat import actions
from community.chat.protocol import StandingFrame
from tests.chat.conftest import _fresh_channel_layer  # noqa: F401
from tests.chat.factories import make_room
from tests.chat.helpers import frames_until_quiet, open_socket, receive_until
from tests.sockets import recorded


@pytest.mark.django_db(transaction=True)
async def test_a_muted_members_socket_gets_the_notice_and_the_input_back_when_lifted(
    member, other_member, moderator
):
    room = await sync_to_async(make_room)(name="Bread talk")
    maya, ready = await open_socket(room, member)
    assert ready["can_send"] is True
    sam, _ = await open_socket(room, other_member)
    await sync_to_async(actions.mute_member)(
        room=room, member=member, moderator=moderator, minutes=60, reason="heated"
    )
    frame = await receive_until(maya, "standing")
    StandingFrame.model_validate(frame)  # exactly the declared fields
    assert frame["can_send"] is False and "muted you in this room" in frame["refusal"]
    assert "You are muted in the room Bread talk until" in frame["notice"]
    assert "heated" in frame["notice"] and ">Appeal</a>" in frame["notice"]
    # Nobody else's page changes.
    assert all(f["type"] != "standing" for f in await frames_until_quiet(sam))

    await sync_to_async(actions.unmute_member)(
        room=room, member=member, moderator=moderator, reason="calmer now"
    )
    frame = await receive_until(maya, "standing")
    assert frame == {"type": "standing", "can_send": True, "refusal": "", "notice": ""}
    await maya.send_json_to({"type": "send", "body": "thanks"})
    assert (await receive_until(maya, "message"))["message"]["body"] == "thanks"


@pytest.mark.django_db(transaction=True)
async def test_a_mute_in_another_room_leaves_this_page_alone(member, moderator):
    here = await sync_to_async(make_room)()
    elsewhere = await sync_to_async(make_room)()
    socket, _ = await open_socket(here, member)
    await sync_to_async(actions.mute_member)(
        room=elsewhere, member=member, moderator=moderator, minutes=60
    )
    assert all(f["type"] != "standing" for f in await frames_until_quiet(socket))


@pytest.mark.django_db(transaction=True)
async def test_the_notification_socket_ignores_the_standing_event(member, moderator):
    from channels.testing import WebsocketCommunicator

    from community.consumers import NotificationConsumer

    bell = recorded(WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/"))
    bell.scope["user"] = member
    connected, _ = await bell.connect()
    assert connected
    assert (await bell.receive_json_from())["type"] == "count"
    room = await sync_to_async(make_room)()
    await sync_to_async(actions.mute_member)(
        room=room, member=member, moderator=moderator, minutes=60
    )
    frame = await bell.receive_json_from(timeout=2)
    assert frame["type"] == "notification" and frame["notification"]["kind"] == "penalty"
    assert await bell.receive_nothing(timeout=0.3)  # still open, nothing odd
    await bell.disconnect()
