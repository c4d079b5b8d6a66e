"""The direct-to-transport fast path (community/chat/wire.py) under the real server.

wire.py reads attributes of uvicorn's websockets-sansio protocol that are not a public
API. This runs the pinned uvicorn in this process and checks that every chat socket gets
a direct writer and that a room message actually goes out through it, so an upgrade that
silently turns the fast path off fails here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
import uvicorn
from asgiref.sync import sync_to_async

from community.chat import fanout
from community.chat.consumers import ChatConsumer
from community.chat.models import room_group
from hearth.asgi import application
from tests.chat.factories import make_room
from tests.chat.helpers import wait_until
from tests.integration.servers import free_port, session_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@contextlib.asynccontextmanager
async def _uvicorn():
    port = free_port()
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, timeout=20, what="uvicorn to start")
    try:
        yield port
    finally:
        server.should_exit = True
        await task


async def _ready(ws) -> None:
    async with asyncio.timeout(10):
        while json.loads(await ws.recv())["type"] != "ready":
            pass


async def test_room_messages_take_the_direct_path_under_uvicorn(member, monkeypatch):
    from websockets.asyncio.client import connect

    room = await sync_to_async(make_room)(slug="fast")
    session = await sync_to_async(session_of)(member)
    written = []
    original = ChatConsumer.write_now

    def counting(self, texts, datas, wire, message_ids):
        result = original(self, texts, datas, wire, message_ids)
        written.append(result)
        return result

    monkeypatch.setattr(ChatConsumer, "write_now", counting)
    async with _uvicorn() as port:
        url = f"ws://127.0.0.1:{port}/ws/chat/fast/"
        origin = {"Origin": f"http://127.0.0.1:{port}"}
        sender = await connect(url, additional_headers={**origin, "Cookie": f"sessionid={session}"})
        readers = [await connect(url, additional_headers=origin) for _ in range(3)]
        try:
            for ws in (sender, *readers):
                await _ready(ws)
            hub = fanout.get_hub()
            sockets = list(hub.rooms[room_group(room.pk)].subscribers)
            assert len(sockets) == 4
            assert all(socket._direct_write is not None for socket in sockets)
            await sender.send(json.dumps({"type": "send", "body": "straight to the wire"}))
            for ws in readers:
                async with asyncio.timeout(10):
                    frame = json.loads(await ws.recv())
                    while frame["type"] != "message":
                        frame = json.loads(await ws.recv())
                assert frame["message"]["body"] == "straight to the wire"
            assert written.count(True) >= 4 and False not in written
        finally:
            for ws in (sender, *readers):
                await ws.close()
