"""hearth.layers.RedisChannelLayer notices a Redis that stopped answering or restarted."""

from __future__ import annotations

import pytest
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from hearth import layers, outages
from hearth.layers import RedisChannelLayer
from tests.integration.servers import free_port


class Listener:
    def __init__(self) -> None:
        self.lost = 0

    def layer_lost(self) -> None:
        self.lost += 1


def dry_pool() -> RedisConnectionError:
    """What redis-py raises when no connection of the pool came free in time."""
    try:
        raise RedisConnectionError("No connection available.") from TimeoutError()
    except RedisConnectionError as error:
        return error


def _layer(url: str) -> RedisChannelLayer:
    return RedisChannelLayer(hosts=[{"address": url}], prefix="watch-test", watch_seconds=3600)


async def test_a_restarted_redis_tells_every_listener(requires_redis):
    layer = _layer(settings.REDIS_URL)
    first, second = Listener(), Listener()
    await layer.watch(first)
    await layer.watch(second)
    assert await layer.check() is True
    assert (first.lost, second.lost) == (0, 0)  # same run_id: nothing happened
    layer._run_ids[0] = "the run before the restart"
    await layer.check()
    assert (first.lost, second.lost) == (1, 1)
    await layer.check()
    assert (first.lost, second.lost) == (1, 1)  # told once; they watch again on reconnect
    await layer.close_pools()


async def test_a_redis_that_does_not_answer_refuses_new_watchers(requires_redis):
    layer = _layer(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(RedisConnectionError):
        await layer.watch(Listener())
    assert outages.is_down(outages.CHANNEL_LAYER)
    await layer.close_pools()


@pytest.mark.parametrize(
    "lateness",
    [TimeoutError, lambda: RedisTimeoutError("Timeout connecting to server"), dry_pool],
    ids=["answer", "connect", "pool"],
)
async def test_a_slow_answer_is_not_a_lost_redis(requires_redis, monkeypatch, lateness):
    """A deploy's reconnect storm keeps the server's event loop so busy that Redis's
    answer to the watch's INFO comes late, or a new connection to Redis is not made
    within its connect timeout. Taking that for Redis going away closed every socket of
    the process, which reconnected into the same storm."""
    layer = _layer(settings.REDIS_URL)
    listener = Listener()
    await layer.watch(listener)
    client = layer.connection(0)
    answer = client.info

    async def late(*args, **kwargs):
        raise lateness()

    monkeypatch.setattr(client, "info", late)
    for _ in range(layers.SLOW_ANSWERS_TOLERATED):
        await layer.check()
    assert listener.lost == 0
    assert not outages.is_down(outages.CHANNEL_LAYER)

    monkeypatch.setattr(client, "info", answer)  # it answers again: the count starts over
    assert await layer.check() is True
    monkeypatch.setattr(client, "info", late)
    for _ in range(layers.SLOW_ANSWERS_TOLERATED):
        await layer.check()
    assert listener.lost == 0

    await layer.check()  # one more: Redis has not answered for that long, it is away
    assert listener.lost == 1
    assert outages.is_down(outages.CHANNEL_LAYER)
    await layer.close_pools()


async def test_a_refused_connection_is_a_lost_redis_at_once(requires_redis, monkeypatch):
    layer = _layer(settings.REDIS_URL)
    listener = Listener()
    await layer.watch(listener)
    client = layer.connection(0)

    async def refused(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(client, "info", refused)
    await layer.check()
    assert listener.lost == 1
    await layer.close_pools()
