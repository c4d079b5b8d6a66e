"""Without Redis (make run), a room hub that falls behind still gets every frame: the
in-memory layer's channels hold far more than its default of 100."""

from __future__ import annotations

import asyncio

from channels.layers import get_channel_layer


async def test_a_room_hub_reading_late_gets_every_frame():
    layer = get_channel_layer()
    hub = await layer.new_channel()
    await layer.group_add("room-7", hub)
    for n in range(1_000):  # a busy loop: nothing read meanwhile
        await layer.group_send("room-7", {"type": "chat.frame", "n": n})
    got = [(await asyncio.wait_for(layer.receive(hub), 5))["n"] for _ in range(1_000)]
    assert got == list(range(1_000))
