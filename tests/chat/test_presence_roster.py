"""The roster of a room stays complete when many pages open at the same moment."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from community.chat import presence


def test_members_joining_at_the_same_moment_are_all_present():
    # Server processes call join from a pool of threads: none may overwrite another's
    # arrival (a roster read, changed and written back whole would).
    # (60: the test settings' local-memory cache keeps at most 300 keys.)
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda n: presence.join(7, n, f"Member {n:03}"), range(60)))
    assert [p["id"] for p in presence.present(7)] == list(range(60))
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda n: presence.leave(7, n), range(0, 60, 2)))
    assert [p["id"] for p in presence.present(7)] == list(range(1, 60, 2))


def test_a_stale_entry_is_pruned_without_dropping_the_others():
    for n in range(5):
        presence.join(8, n, f"Member {n}")
    presence.cache.delete(presence._seen_key(8, 2))  # its process died silently
    assert [p["id"] for p in presence.present(8)] == [0, 1, 3, 4]
    assert sorted(presence._roster(8)) == [0, 1, 3, 4]


@pytest.fixture
def redis_cache(monkeypatch):
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("Needs Redis: set REDIS_URL.")
    from hearth.cache import ResilientRedisCache

    redis_cache = ResilientRedisCache(url, {"KEY_PREFIX": f"roster-test-{os.getpid()}"})
    monkeypatch.setattr(presence, "cache", redis_cache)
    yield redis_cache
    client = redis_cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"roster-test-{os.getpid()}*"):
        client.delete(key)


def test_on_redis_the_roster_is_a_hash_changed_field_by_field(redis_cache):
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda n: presence.join(9, n, f"Member {n:03}"), range(200)))
    client, key = presence._redis_hash(9)
    assert client.type(key) == b"hash" and client.hlen(key) == 200
    assert [p["id"] for p in presence.present(9)] == list(range(200))
    assert presence.leave(9, 5) is True
    assert 5 not in presence._roster(9) and len(presence.present(9)) == 199
