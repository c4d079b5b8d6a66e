"""One process, one set of Redis connections for the cache, however many sockets it serves.

Django keeps a cache backend per asyncio context, and its Redis backend opens its own
connection pool per backend instance: every chat socket (a consumer task of its own)
that touched the cache held a Redis connection of its own for as long as it stayed
open. With 10,000 sockets on one process that reached Redis's ``maxclients`` ("max
number of clients reached"), and the channel layer's next connection failed: the
process's sockets were closed as if Redis had gone away (bench/chat_fanout/README.md).
"""

from __future__ import annotations

import asyncio
import contextvars

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import caches

pytestmark = pytest.mark.usefixtures("requires_redis")

SOCKETS = 60


def _use_the_cache(n: int) -> int:
    cache = caches["default"]
    cache.set(f"connections-test:{n}", n, 30)
    assert cache.get(f"connections-test:{n}") == n
    return id(cache._cache)


async def test_many_sockets_share_the_processs_redis_connections():
    async def socket(n: int) -> int:
        return await sync_to_async(_use_the_cache, thread_sensitive=False)(n)

    # The server starts each connection's task from a context in which nothing touched
    # the cache yet, as uvicorn does.
    clients = await asyncio.gather(
        *(asyncio.create_task(socket(n), context=contextvars.Context()) for n in range(SOCKETS))
    )
    assert len(set(clients)) == 1  # one Redis client (and pool) for the whole process
    client = caches["default"]._cache
    opened = sum(pool._created_connections for pool in client._pools.values())
    # At most one connection per thread that used it at the same moment, not one per socket.
    assert opened <= 32
    caches["default"].delete_many([f"connections-test:{n}" for n in range(SOCKETS)])


def test_another_cache_configuration_gets_its_own_connections(settings):
    """Tests (and a reconfigured process) that change CACHES must not reuse the old
    server's connections."""
    before = caches["default"]._cache
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "OPTIONS": {"socket_timeout": 2.0}}
    }
    after = caches["default"]._cache
    assert after is not before
    assert caches["default"].set("connections-test:other", 1, 5) is None
