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
# Not any OSError: redis-py wraps the socket's errors in its own ConnectionError, and a
# bare OSError is also what the web server raises when the *browser* went away
# (uvicorn's ClientDisconnected), which is no outage.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)


def _client_gone_errors() -> tuple[type[BaseException], ...]:
    try:
        from uvicorn.protocols.utils import ClientDisconnected
    except ImportError:  # another ASGI server: its sends do not raise when the client left
        return ()
    return (ClientDisconnected,)


# A send to a socket whose client closed it (a tab closed, a phone out of coverage).
CLIENT_GONE: tuple[type[BaseException], ...] = _client_gone_errors()


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says a backing service (Redis, the database) is unreachable,
    as opposed to the client at the other end of a socket having gone away."""
    return isinstance(error, CONNECTION_ERRORS) and not isinstance(error, CLIENT_GONE)


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` is a wait for a free connection that ran out: the process has
    more commands in flight than its pool holds connections (a deploy's reconnect storm
    joins thousands of groups at once). The service itself answers; this is no outage."""
    return isinstance(error, RedisConnectionError) and isinstance(error.__cause__, TimeoutError)


_down_since: dict[str, float] = {}
_retry_at: dict[str, float] = {}
# A busy pool is logged at most once per this many seconds and service, with a count.
BUSY_REPORT_SECONDS = 60.0
_busy: dict[str, tuple[float, int]] = {}  # service: (last logged, waits run out since)


def report_down(service: str, error: BaseException) -> None:
    """``service`` failed with ``error``: skip it for RETRY_SECONDS, unless the failure
    was only a busy pool (``is_busy``), which is logged but stops nobody else."""
    now = time.monotonic()
    if is_busy(error):
        _report_busy(service, error, now)
        return
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


def _report_busy(service: str, error: BaseException, now: float) -> None:
    logged, count = _busy.get(service, (float("-inf"), 0))
    if now - logged < BUSY_REPORT_SECONDS:
        _busy[service] = (logged, count + 1)
        return
    _busy[service] = (now, 0)
    logger.warning(
        "%s is busy: no free connection in time (%s)%s; that command failed, the "
        "service still counts as up",
        service,
        error,
        f", {count + 1} times in the last {BUSY_REPORT_SECONDS:.0f} s" if count else "",
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
    _busy.clear()
