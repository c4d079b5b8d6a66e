"""Backing services (Redis for the cache and the channel layer) going away and back.

An outage is logged once when it starts and once when it ends, never once per request
or per socket: a Redis restart under load must not bury the log in tracebacks. While a
service is down, callers skip it for RETRY_SECONDS at a time instead of paying a failed
connection on every call (a small circuit breaker).
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("hearth.outages")

CACHE = "cache"
CHANNEL_LAYER = "channel layer"
DATABASE = "database"
RETRY_SECONDS = 2.0

# What a lost or refused connection to Redis raises, through redis-py or the OS.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
    OSError,
)

_down_since: dict[str, float] = {}
_retry_at: dict[str, float] = {}


def report_down(service: str, error: BaseException) -> None:
    now = time.monotonic()
    _retry_at[service] = now + RETRY_SECONDS
    if service in _down_since:
        return
    _down_since[service] = now
    logger.warning(
        "%s is unavailable (%s: %s); degrading until it answers again",
        service,
        error.__class__.__name__,
        error,
    )


def report_up(service: str) -> None:
    started = _down_since.pop(service, None)
    _retry_at.pop(service, None)
    if started is not None:
        logger.warning("%s answers again after %.0f s", service, time.monotonic() - started)


def is_down(service: str) -> bool:
    return service in _down_since


def worth_trying(service: str) -> bool:
    """False for a little while after a failure, then True again (one probe)."""
    return time.monotonic() >= _retry_at.get(service, 0.0)


def reset() -> None:
    """Forget every outage (tests start from a clean slate)."""
    _down_since.clear()
    _retry_at.clear()
