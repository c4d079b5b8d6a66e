"""Two test workers (and any other user of the same Redis) share one Redis database.

Django's ``RedisCache.clear()`` is ``FLUSHDB``: one worker emptying its cache between
permission-table rows also emptied the other worker's chat groups mid-test, and sockets
there waited for frames that nobody was subscribed to deliver. A test run's cache is
emptied by its own key prefix only.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(
    not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"),
    reason="Only a shared Redis has other workers' keys to lose (REDIS_URL is unset).",
)


def test_emptying_the_cache_keeps_the_keys_of_another_worker():
    client = cache._cache.get_client(write=True)
    other_workers_key = "another-worker:group:chat.room.1"
    client.set(other_workers_key, "still subscribed", ex=60)
    cache.set("mine", "gone soon")
    try:
        cache.clear()
        assert cache.get("mine") is None
        assert client.get(other_workers_key) == b"still subscribed"
    finally:
        client.delete(other_workers_key)
