"""Chat across real server processes on Redis.

Two uvicorn processes serve the whole ASGI application against the test database and
the test Redis (same channel-layer prefix as this test run). A message sent through
one reaches sockets held by the other; idle sockets still receive after 60 s.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from community import actions
from community.chat.models import ChatMessage
from tests.chat.factories import make_room
from tests.integration.servers import (
    Uvicorn,
    next_frame,
    open_chat,
    running,
    server_env,
    session_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def two_servers(requires_redis):
    env = server_env()
    with running(Uvicorn(env), Uvicorn(env)) as servers:
        yield [server.port for server in servers]


async def _open(port: int, room, session: str | None):
    # Returns after "ready": by then this process has subscribed to the room.
    return await open_chat(port, room.slug, session=session)


async def test_a_message_sent_through_one_process_reaches_sockets_on_the_other(
    two_servers, member, other_member
):
    port_a, port_b = two_servers
    room = await sync_to_async(make_room)(slug="lobby")
    maya_session = await sync_to_async(session_of)(member)
    sam_session = await sync_to_async(session_of)(other_member)
    maya = await _open(port_a, room, maya_session)
    sam = await _open(port_b, room, sam_session)
    visitor = await _open(port_b, room, None)
    try:
        await maya.send(json.dumps({"type": "send", "body": "across processes", "ref": "x"}))
        for ws in (sam, visitor, maya):
            frame = await next_frame(ws, "message")
            assert frame["message"]["body"] == "across processes"
            assert frame["message"]["author"]["username"] == "maya"
        saved = await sync_to_async(ChatMessage.objects.get)()
        assert saved.body == "across processes"
        # And back the other way, from the process that only received so far.
        await sam.send(json.dumps({"type": "send", "body": "got it"}))
        assert (await next_frame(maya, "message"))["message"]["body"] == "got it"
    finally:
        for ws in (maya, sam, visitor):
            await ws.close()


async def _open_bell(port: int, session: str):
    """The member's notification socket, after its first ``count`` frame."""
    from websockets.asyncio.client import connect

    headers = {
        "Origin": f"http://127.0.0.1:{port}",
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
    }
    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/notifications/", additional_headers=headers, open_timeout=20
    )
    await next_frame(ws, "count")
    return ws


async def test_idle_sockets_still_receive_after_sixty_seconds(two_servers, member, other_member):
    """redis-py 8 closes sockets idle for 5 s by default (redis-py #4091), which silently
    killed channel-layer subscriptions: a room's subscription (chat) and a member's own
    group (the bell) both still deliver after a quiet minute. One minute for both."""
    port_a, port_b = two_servers
    room = await sync_to_async(make_room)(slug="quiet")
    sam = await _open(port_b, room, await sync_to_async(session_of)(other_member))
    bell = await _open_bell(port_a, await sync_to_async(session_of)(member))
    try:
        await asyncio.sleep(65)  # far past redis-py's 5 s idle read timeout
        await sync_to_async(actions.notify)(recipient=member, kind="reply", text="Still there?")
        assert (await next_frame(bell, "notification"))["notification"]["text"] == "Still there?"
        maya = await _open(port_a, room, await sync_to_async(session_of)(member))
        await maya.send(json.dumps({"type": "send", "body": "still there?"}))
        frame = await next_frame(sam, "message")
        assert frame["message"]["body"] == "still there?"
        await maya.close()
    finally:
        await sam.close()
        await bell.close()
