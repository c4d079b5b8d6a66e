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
import redis
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

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


class Listener:
    lost = 0

    def layer_lost(self) -> None:
        self.lost += 1


async def test_a_pool_run_dry_is_a_busy_process_not_a_lost_redis(prefix, caplog):
    """At 3,000 reconnecting clients a server's pool had no free connection for 5 s,
    three times. Each time that opened the circuit breaker (announcements skipped for
    everyone for 2 s) and closed every socket of the process with 4503, which doubled
    every client's backoff and fed the storm (bench/chat_fanout/SCALE.md)."""
    layer = RedisChannelLayer(
        hosts=[{"address": settings.REDIS_URL, "max_connections": 1, "pool_timeout": 0.2}],
        prefix=prefix,
        watch_seconds=3600,
    )
    listener = Listener()
    await layer.watch(listener)
    # The process's reader takes the one connection and blocks on it.
    client = redis.Redis.from_url(settings.REDIS_URL)
    before = sum(1 for c in client.client_list() if c.get("cmd") == "bzpopmin")
    receiving = asyncio.create_task(layer.receive(await layer.new_channel()))
    loop = asyncio.get_running_loop()
    end = loop.time() + 5
    while sum(1 for c in client.client_list() if c.get("cmd") == "bzpopmin") <= before:
        assert loop.time() < end, "the reader never blocked"
        await asyncio.sleep(0.01)

    with pytest.raises(RedisConnectionError) as raised:
        await layer.group_add("room", await layer.new_channel())
    assert outages.is_busy(raised.value)
    with caplog.at_level("WARNING", logger="hearth.outages"):
        outages.report_down(outages.CHANNEL_LAYER, raised.value)
        outages.report_down(outages.CHANNEL_LAYER, raised.value)
    assert not outages.is_down(outages.CHANNEL_LAYER)
    assert outages.worth_trying(outages.CHANNEL_LAYER)
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["channel layer is busy"]

    await layer.check()  # the watch finds no free connection either: late, not lost
    assert listener.lost == 0
    assert not receiving.done()
    receiving.cancel()
    await layer.close_pools()


def test_a_refused_connection_is_not_a_busy_pool():
    try:
        raise RedisConnectionError("Connection refused") from ConnectionRefusedError()
    except RedisConnectionError as error:
        assert not outages.is_busy(error)
    assert not outages.is_busy(TimeoutError())
