"""Django's Redis cache that degrades instead of failing when Redis is away.

Nothing Hearth keeps in the cache is the only copy of anything: presence, unread counts,
rate-limit buckets, rendered fragments. So when Redis does not answer, a read is a miss,
a write is skipped and a counter is "not there" (``incr`` raises ValueError, as for a
missing key), ``add`` reports success (so a lock or a rate limit lets people through):
pages and sign-in keep working, presence and rate limits become "unknown" and "allow",
and the outage is logged once (hearth.outages), not once per request. For a
couple of seconds after a failure the cache is not even tried, so a page does not wait
for a refused or timed-out connection on every call.

``check()`` bypasses all of that for /healthz, which must say when Redis is down.

One Redis client (and connection pool) per process and configuration: Django keeps a
cache backend per asyncio context, and its Redis backend opens a pool of its own per
instance, so every chat socket (a task of its own) held a Redis connection for as long
as it stayed open; 10,000 sockets reached Redis's ``maxclients``.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from hearth import outages

# (servers, OPTIONS dict, client): the OPTIONS dict is the settings' own object, compared
# by identity (it holds Retry objects, which do not compare by value) and kept alive here.
_clients: list[tuple[tuple[str, ...], dict, RedisCacheClient]] = []
_clients_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    # Set by Django's RedisCache.__init__; the stubs leave them out.
    _servers: list[str]
    _options: dict[str, Any]
    _class: type[RedisCacheClient]

    @cached_property
    def _cache(self) -> RedisCacheClient:
        servers = tuple(self._servers)
        with _clients_lock:
            for known_servers, options, client in _clients:
                if known_servers == servers and options is self._options:
                    return client
            client = self._class(self._servers, **self._options)
            _clients.append((servers, self._options, client))
            return client

    def _guard(self, method: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        if not outages.worth_trying(outages.CACHE):
            return _fail(fallback)
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except outages.CONNECTION_ERRORS as error:
            outages.report_down(outages.CACHE, error)
            return _fail(fallback)
        if outages.is_down(outages.CACHE):
            outages.report_up(outages.CACHE)
        return result

    def check(self) -> None:
        """Raise unless Redis answers a PING (for /healthz; no fallback)."""
        self._cache.get_client(write=True).ping()
        outages.report_up(outages.CACHE)

    def get(self, key, default=None, version=None):
        return self._guard("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True: as if stored. add() is how locks and "once per interval" limits are
        # taken (allauth's rate-limit lock, the forum's posting interval); an unknown
        # answer must let the member through, not lock everyone out.
        return self._guard("add", True, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._guard("incr", _Missing(key), key, delta, version)

    def clear(self):
        return self._guard("clear", False)


class _Missing:
    """Fallback of ``incr``: behave as Django does for a key that is not there."""

    def __init__(self, key: str) -> None:
        self.key = key


def _fail(fallback: Any) -> Any:
    if isinstance(fallback, _Missing):
        raise ValueError(f"Key '{fallback.key}' not found (the cache is unavailable).")
    return fallback
