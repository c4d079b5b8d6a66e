"""Backing services (Redis for the cache and the channel layer) going away and back.

An outage is logged once when it starts and once when it ends, never once per request
or per socket: a Redis restart under load must not bury the log in tracebacks.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("hearth.outages")

# What a lost or refused connection to Redis raises, through redis-py or the OS.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
    OSError,
)

_down_since: dict[str, float] = {}


def report_down(service: str, error: BaseException) -> None:
    if service in _down_since:
        return
    _down_since[service] = time.monotonic()
    logger.warning(
        "%s is unavailable (%s: %s); degrading until it answers again",
        service,
        error.__class__.__name__,
        error,
    )


def report_up(service: str) -> None:
    started = _down_since.pop(service, None)
    if started is not None:
        logger.warning("%s answers again after %.0f s", service, time.monotonic() - started)


def is_down(service: str) -> bool:
    return service in _down_since
