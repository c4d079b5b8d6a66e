"""A busy server process loses no room frame while it reads its inbox late.

Everything sent to a process's channels (every socket's, every room hub's) waits in one
Redis key per process, and channels_redis counts its capacity on that key: a group send
to a full inbox is dropped, with an INFO line and nothing else. At the old capacity of
1,000 a process that fell a few seconds behind under load (bench/chat_fanout, "rooms":
200 messages a second, plus the events to its members' sockets) lost room frames, so
every socket of that room in that process missed the message and nothing told them to
catch up.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.conf import settings

from hearth.layers import RedisChannelLayer

pytestmark = pytest.mark.usefixtures("requires_redis")

BEHIND = 5_000  # frames waiting for a process that reads late


def _layer(prefix: str) -> RedisChannelLayer:
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    return RedisChannelLayer(
        hosts=[{"address": settings.REDIS_URL}],
        prefix=prefix,
        capacity=config["capacity"],
        expiry=config["expiry"],
        watch_seconds=3600,
    )


def _room_messages_from_another_process(prefix: str, count: int) -> None:
    async def send() -> None:
        sender = _layer(prefix)
        for n in range(count):
            await sender.group_send("room-7", {"type": "chat.frame", "n": n})
        await sender.close_pools()

    thread = threading.Thread(target=asyncio.run, args=(send(),))
    thread.start()
    thread.join()


async def test_a_process_reading_late_gets_every_frame_of_its_rooms(prefix):
    layer = _layer(prefix)
    try:
        hub = await layer.new_channel()
        await layer.group_add("room-7", hub)
        # Its sockets' own channels share the inbox: some of them in the room's group too.
        sockets = [await layer.new_channel() for _ in range(3)]
        for channel in sockets:
            await layer.group_add("room-7", channel)

        _room_messages_from_another_process(prefix, BEHIND)  # this loop reads nothing meanwhile

        got: list[int] = []
        while len(got) < BEHIND:
            try:  # bounds a failing run: the frames are all in Redis already
                got.append((await asyncio.wait_for(layer.receive(hub), 3))["n"])
            except TimeoutError:
                break
        assert got == list(range(BEHIND)), f"{BEHIND - len(got):,} frames lost"
    finally:
        await layer.flush()
        await layer.close_pools()
