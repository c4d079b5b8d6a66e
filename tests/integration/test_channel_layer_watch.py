"""hearth.layers.RedisChannelLayer notices a Redis that stopped answering or restarted."""

from __future__ import annotations

import pytest
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

from hearth import outages
from hearth.layers import RedisChannelLayer
from tests.integration.servers import free_port


class Listener:
    def __init__(self) -> None:
        self.lost = 0

    def layer_lost(self) -> None:
        self.lost += 1


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
