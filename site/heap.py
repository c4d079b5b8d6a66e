"""Keeping Python's full garbage collections from pausing a server of many sockets.

A full collection walks every object the process holds. With 10,000 open sockets that is
millions of objects, and it paused the event loop for 2 to 3 s about every 30 s at rest
(bench/chat_fanout, idle, measured with gc.callbacks): Redis's answers came "late",
connects to Redis timed out, and the channel layer's watch took the process for one
that had lost Redis and closed every socket.

What a socket holds lives as long as the socket, so while a process has many sockets
open, what has survived until now is frozen every FREEZE_SECONDS (``gc.freeze()``: left
out of later collections). Every THAW_SECONDS it is thawed and collected once, which
frees what closed sockets left in reference cycles: one pause every few minutes instead
of one every half minute. A process with few sockets (a test run, a quiet site) is left
to Python's own collector.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import weakref

logger = logging.getLogger(__name__)

FREEZE_SECONDS = 15.0
THAW_SECONDS = 300.0
FREEZE_FROM_SOCKETS = 1_000

_open_sockets = 0


class Keeper:
    """Decides, each time it is asked, whether to freeze, thaw, or leave the heap be."""

    def __init__(self, now: float) -> None:
        self.frozen = False
        self.thawed_at = now

    def tend(self, sockets: int, now: float) -> str:
        if sockets < FREEZE_FROM_SOCKETS:
            if self.frozen:
                self._thaw(now)
                return "thawed"
            return "left"
        if self.frozen and now - self.thawed_at >= THAW_SECONDS:
            self._thaw(now)
        gc.freeze()
        self.frozen = True
        return "frozen"

    def _thaw(self, now: float) -> None:
        gc.unfreeze()
        started = time.perf_counter()
        found = gc.collect()
        logger.info(
            "heap: thawed and collected (%d unreachable) in %.0f ms",
            found,
            (time.perf_counter() - started) * 1000,
        )
        self.frozen = False
        self.thawed_at = now


_keepers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task] = (
    weakref.WeakKeyDictionary()
)


async def _keep() -> None:
    loop = asyncio.get_running_loop()
    keeper = Keeper(loop.time())
    while True:
        await asyncio.sleep(FREEZE_SECONDS)
        keeper.tend(_open_sockets, loop.time())


def socket_opened() -> None:
    """A socket of this process was accepted (from its event loop)."""
    global _open_sockets
    _open_sockets += 1
    loop = asyncio.get_running_loop()
    task = _keepers.get(loop)
    if task is None or task.done():
        _keepers[loop] = loop.create_task(_keep(), name="heap keeper")


def socket_closed() -> None:
    global _open_sockets
    _open_sockets = max(0, _open_sockets - 1)


def open_sockets() -> int:
    return _open_sockets
