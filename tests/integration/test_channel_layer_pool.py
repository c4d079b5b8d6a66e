"""hearth.layers.RedisChannelLayer: a burst of Redis commands waits for a connection.

When a deploy drops every socket, hundreds of reconnects in one server process each join
their groups at once. redis-py's pool refused the 101st command at the same moment
(MaxConnectionsError), which Hearth took for Redis going away: the process stopped
announcing messages for two seconds, and members who stayed connected never got them
(bench/chat_fanout/SCALE.md, the deploy stampede).
"""

from __future__ import annotations

import asyncio

import pytest
from django.conf import settings

from hearth import outages
from hearth.layers import RedisChannelLayer

pytestmark = pytest.mark.usefixtures("requires_redis")


async def test_more_commands_at_once_than_connections_wait_their_turn(prefix):
    layer = RedisChannelLayer(
        hosts=[{"address": settings.REDIS_URL, "max_connections": 2}], prefix=prefix
    )
    channels = [await layer.new_channel() for _ in range(40)]
    await asyncio.gather(*(layer.group_add("room", channel) for channel in channels))
    await layer.group_send("room", {"type": "chat.frame", "frame": "hello"})
    for channel in channels:
        assert await asyncio.wait_for(layer.receive(channel), 5) == {
            "type": "chat.frame",
            "frame": "hello",
        }
    assert not outages.is_down(outages.CHANNEL_LAYER)
    await layer.close_pools()


def test_the_site_layer_pool_is_bounded_and_waits():
    if settings.CHANNEL_LAYERS["default"]["BACKEND"] != "hearth.layers.RedisChannelLayer":
        pytest.skip("The site runs the in-memory channel layer here.")
    for host in settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]:
        assert host["max_connections"] >= 100
        assert 0 < host["pool_timeout"] <= 10
