"""Who may open which room's socket; Origin; logout and suspension close it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from community.actions import suspend_member
from community.chat.models import Room
from hearth.asgi import application
from tests.chat.factories import make_members_room, make_room
from tests.chat.helpers import (
    chat_app,
    close_code_after_handshake,
    communicator,
    open_socket,
    receive_until,
)
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)


async def _handshake(room, user) -> int | None:
    return await close_code_after_handshake(communicator(room, user))


@pytest.mark.parametrize(
    "who, visibility, allowed",
    [
        ("visitor", Room.Visibility.PUBLIC, True),
        ("visitor", Room.Visibility.MEMBERS, False),
        ("member", Room.Visibility.PUBLIC, True),
        ("member", Room.Visibility.MEMBERS, True),
        ("suspended", Room.Visibility.PUBLIC, False),
        ("suspended", Room.Visibility.MEMBERS, False),
        ("moderator", Room.Visibility.MEMBERS, True),
    ],
)
async def test_it_lets_only_readers_open_a_room(who, visibility, allowed, member, moderator):
    room = await sync_to_async(make_room)(visibility=visibility)
    user = {
        "visitor": None,
        "member": member,
        "moderator": moderator,
        "suspended": await sync_to_async(make_member)(
            suspended_until=timezone.now() + timedelta(days=1)
        ),
    }[who]
    assert await _handshake(room, user) == (None if allowed else 4403)


async def test_it_refuses_an_unknown_room(member):
    comm = WebsocketCommunicator(chat_app, "/ws/chat/nowhere/")
    comm.scope["user"] = member
    assert await close_code_after_handshake(comm) == 4404


def _session_cookie_for(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, client.cookies["sessionid"].value


async def test_it_refuses_a_handshake_from_another_origin(member):
    room = await sync_to_async(make_room)()
    _, session = await sync_to_async(_session_cookie_for)(member)
    comm = WebsocketCommunicator(
        application,
        f"/ws/chat/{room.slug}/",
        headers=[
            (b"origin", b"https://evil.example"),
            (b"cookie", f"sessionid={session}".encode()),
        ],
    )
    connected, _ = await comm.connect()
    assert connected is False


async def test_it_reads_the_member_from_the_session_cookie_through_the_full_stack(member):
    room = await sync_to_async(make_members_room)()
    _, session = await sync_to_async(_session_cookie_for)(member)
    comm = WebsocketCommunicator(
        application,
        f"/ws/chat/{room.slug}/",
        headers=[
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"sessionid={session}".encode()),
        ],
    )
    connected, _ = await comm.connect()
    assert connected
    ready = await receive_until(comm, "ready")
    assert ready["me"]["username"] == "maya"
    await comm.disconnect()


async def _wait_for_close(comm, seconds: float = 5) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    frames = []
    while loop.time() < deadline:
        output = await comm.receive_output(timeout=deadline - loop.time())
        if output["type"] == "websocket.close":
            output["frames"] = frames
            return output
        frames.append(output)
    raise AssertionError("the socket was not closed in time")


async def test_signing_out_closes_the_socket_within_five_seconds(member):
    room = await sync_to_async(make_room)()
    client, session = await sync_to_async(_session_cookie_for)(member)
    comm = WebsocketCommunicator(
        application,
        f"/ws/chat/{room.slug}/",
        headers=[
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"sessionid={session}".encode()),
        ],
    )
    assert (await comm.connect())[0]
    await receive_until(comm, "ready")
    await sync_to_async(client.post)("/accounts/logout/")
    closed = await _wait_for_close(comm)
    assert closed["code"] == 4001
    assert any('"signed_out"' in f.get("text", "") for f in closed["frames"])


async def test_suspension_closes_the_members_sockets_within_five_seconds(member, moderator):
    room = await sync_to_async(make_room)()
    socket, _ = await open_socket(room, member)
    await sync_to_async(suspend_member)(
        member=member, moderator=moderator, until=timezone.now() + timedelta(days=3), reason="spam"
    )
    closed = await _wait_for_close(socket)
    assert closed["code"] == 4001


async def test_an_event_for_another_kind_of_socket_does_not_break_the_chat(member):
    from channels.layers import get_channel_layer

    from community.live import member_group

    room = await sync_to_async(make_room)()
    socket, _ = await open_socket(room, member)
    await get_channel_layer().group_send(member_group(member.pk), {"type": "referral.beep"})
    await socket.send_json_to({"type": "send", "body": "still fine"})
    assert (await receive_until(socket, "message"))["message"]["body"] == "still fine"
    await socket.disconnect()
