"""The Redis cache degrades to "no cache" while Redis is away, and says so once."""

from __future__ import annotations

import logging

import pytest
from redis.backoff import NoBackoff
from redis.retry import Retry

from hearth import outages
from hearth.cache import ResilientRedisCache
from tests.integration.servers import free_port


@pytest.fixture
def unreachable_cache() -> ResilientRedisCache:
    # Nothing listens on this port: every connection is refused at once.
    return ResilientRedisCache(
        f"redis://127.0.0.1:{free_port()}/0",
        {
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "retry": Retry(NoBackoff(), 1)},
        },
    )


def test_reads_miss_and_writes_are_skipped_while_redis_is_away(unreachable_cache):
    cache = unreachable_cache
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.add("k", 1) is True  # a lock or a rate limit lets people through
    assert cache.set("k", 1, 30) is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.touch("k", 30) is False
    assert cache.delete("k") is False
    assert cache.delete_many(["a"]) is None
    assert cache.get_or_set("k", "computed") == "computed"
    with pytest.raises(ValueError):  # as for a key that is not there
        cache.incr("counter")
    with pytest.raises(ValueError):
        cache.decr("counter")
    assert outages.is_down(outages.CACHE)


def test_the_outage_is_logged_once_not_per_call(unreachable_cache, caplog, monkeypatch):
    monkeypatch.setattr(outages, "RETRY_SECONDS", 0)  # try Redis on every call
    with caplog.at_level(logging.WARNING, logger="hearth.outages"):
        for _ in range(20):
            unreachable_cache.get("k")
    records = [r for r in caplog.records if r.name == "hearth.outages"]
    assert len(records) == 1
    assert "cache is unavailable" in records[0].getMessage()
    assert records[0].exc_info is None


def test_redis_is_not_tried_again_for_a_moment_after_a_failure(unreachable_cache, monkeypatch):
    unreachable_cache.get("k")
    tried = []
    monkeypatch.setattr(unreachable_cache._cache, "get", lambda *args, **kwargs: tried.append(args))
    for _ in range(50):
        assert unreachable_cache.get("k") is None
    assert tried == []  # skipped during the retry window
    monkeypatch.setattr(outages, "_retry_at", {})
    unreachable_cache.get("k")
    assert len(tried) == 1  # then one probe


def test_the_health_check_is_not_fooled(unreachable_cache):
    with pytest.raises(Exception):  # noqa: B017 - any connection error
        unreachable_cache.check()
