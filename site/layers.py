"""The Redis channel layer, made to notice when Redis goes away or comes back empty.

Group memberships live in Redis. When Redis restarts (it keeps nothing on disk), every
membership is gone, yet redis-py reconnects transparently: sockets stay open and
silently receive nothing again. This layer watches each Redis host (one ``INFO`` every
few seconds, per process): when a host stops answering or answers with another
``run_id`` (a restart), every socket of the process is told through ``layer_lost()``.
Sockets then close with 4503; their clients reconnect with backoff, join their groups
afresh and catch up with ``since``, so nothing is lost and nothing stays deaf.

It also reads a process's own channels differently (``receive``). channels_redis keeps
all of them (every socket's, every room hub's) in one Redis list per process, and the
receive that holds its read lock pops the next message for whichever channel it is
meant. When that receive is cancelled (its socket closed) while the popped message is on
its way back from Redis, the message is gone: a room hub's frame missed by every socket
of the process. Here one reader task per event loop, which nobody cancels, pops and
hands each message to its channel's waiting receive (or keeps it until one comes); a
receive only waits on a future of its own, and cancelling it costs nothing. It is also
cheaper per idle socket: one future instead of a lock waiter, two helper tasks and an
asyncio.Queue (about 3 KB less each, bench/chat_fanout/README.md).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
import weakref
from typing import Protocol

from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from hearth import outages

logger = logging.getLogger(__name__)

SERVICE = outages.CHANNEL_LAYER
WATCH_SECONDS = 2.0
# A late answer says the process is busy (a deploy's reconnect storm keeps its event
# loop full) at least as often as that Redis is away; closing every socket then only
# feeds the storm. Only a refused or broken connection, a new run_id, or this many late
# answers in a row (about 12 s of silence) count as Redis lost.
SLOW_ANSWERS_TOLERATED = 3

# How long the process's reader waits before it reads again after a late answer.
READ_RETRY_SECONDS = 1.0
# A host's connections per process, and how long a command waits for a free one (a
# deploy's reconnects join their groups all at once) before that command fails. A pool
# that ran dry is a busy process, not a lost Redis (outages.is_busy).
MAX_CONNECTIONS = 200
POOL_TIMEOUT = 5.0


def is_late(error: BaseException) -> bool:
    """A late answer: asyncio's own timeout (the watch's); redis-py's when a new
    connection takes longer than socket_connect_timeout (a busy event loop at 10,000
    sockets takes longer than a second to run the connect's callbacks); or no free
    connection in the pool within POOL_TIMEOUT (a reconnect storm's joins)."""
    return isinstance(error, (TimeoutError, RedisTimeoutError)) or outages.is_busy(error)


def _no_answer(error: BaseException) -> TimeoutError:
    """One late answer too many: Redis counts as away, even when the last wait was for a
    busy pool's connection (which alone opens no circuit breaker)."""
    lost = TimeoutError(f"no answer {SLOW_ANSWERS_TOLERATED + 1} times in a row ({error})")
    lost.__cause__ = error
    return lost


class LayerListener(Protocol):
    def layer_lost(self) -> None: ...


class _Failed:
    """Handed to the waiting receives when the process's reader failed."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class RedisChannelLayer(BaseRedisChannelLayer):
    def __init__(self, *args, watch_seconds: float = WATCH_SECONDS, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.watch_seconds = watch_seconds
        self._listeners: weakref.WeakSet = weakref.WeakSet()
        self._run_ids: dict[int, str] = {}
        self._late: dict[int, int] = {}  # late answers in a row, per host
        self._watchers: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
        self._readers: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
        # A process's own channels: the receives waiting on each, and what arrived for a
        # channel while nobody waited (at most its capacity, the oldest dropped first).
        self._waiting: dict[str, list[asyncio.Future]] = {}
        self._buffered: dict[str, collections.deque] = {}
        # Channels whose receiver was cancelled (the socket closed), oldest first, with
        # when: what still arrives for them is dropped. Kept for twice the message
        # expiry, after which nothing sent to them can still be in Redis.
        self._closed: collections.OrderedDict[str, float] = collections.OrderedDict()

    def create_pool(self, index: int):
        """A pool that makes a burst of commands wait for a connection: redis-py's own
        refuses the one over ``max_connections`` at once (MaxConnectionsError), which
        would be taken for Redis going away."""
        host = dict(self.hosts[index])
        address = host.pop("address", None)
        if address is None:  # sentinels: channels_redis's own pool
            return super().create_pool(index)
        host.setdefault("max_connections", MAX_CONNECTIONS)
        host["timeout"] = host.pop("pool_timeout", POOL_TIMEOUT)
        return BlockingConnectionPool.from_url(address, **host)

    # --- who wants to know ------------------------------------------------------------

    async def watch(self, listener: LayerListener) -> None:
        """Call ``listener.layer_lost()`` when this process's memberships may be gone.

        Call it before joining groups: the first call learns each host's run_id, so a
        restart between now and the next look is noticed.
        """
        if len(self._run_ids) < self.ring_size and not await self.check():
            raise RedisConnectionError("Redis (the channel layer) does not answer")
        self._listeners.add(listener)
        loop = asyncio.get_running_loop()
        watcher = self._watchers.get(loop)
        if watcher is None or watcher.done():
            self._watchers[loop] = loop.create_task(self._watch(), name="channel-layer watch")

    def forget(self, listener: LayerListener) -> None:
        self._listeners.discard(listener)

    def _lost(self, error: BaseException | None, why: str) -> None:
        if error is not None:
            outages.report_down(SERVICE, error)
        else:
            logger.warning("channel layer: %s; closing this process's sockets", why)
        for listener in list(self._listeners):
            try:
                listener.layer_lost()
            except Exception:
                logger.exception("channel layer: a listener failed")
        self._listeners.clear()

    # --- the watch ----------------------------------------------------------------------

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.watch_seconds)
            if not self._listeners:
                continue
            await self.check()

    async def check(self) -> bool:
        """Ask every host for its run_id; a host that fails or changed is a loss.
        True when every host answered."""
        answered = True
        for index in range(self.ring_size):
            try:
                async with asyncio.timeout(max(self.watch_seconds, 1.0)):
                    info = await self.connection(index).info("server")
            except asyncio.CancelledError:
                raise
            except Exception as error:  # refused, reset, or late too often: the host is away
                answered = False
                if is_late(error) and index in self._run_ids:
                    self._late[index] = late = self._late.get(index, 0) + 1
                    if late <= SLOW_ANSWERS_TOLERATED:
                        continue
                self._late.pop(index, None)
                self._run_ids.pop(index, None)
                self._lost(_no_answer(error) if is_late(error) else error, "")
                continue
            self._late.pop(index, None)
            run_id = str(info.get("run_id", ""))
            known = self._run_ids.get(index)
            self._run_ids[index] = run_id
            outages.report_up(SERVICE)
            if known is not None and known != run_id:
                self._lost(None, f"Redis host {index} restarted (memberships lost)")
        return answered

    # --- receiving ------------------------------------------------------------------

    async def receive(self, channel: str) -> dict:
        try:
            if "!" in channel:
                return await self._receive_local(channel)
            return await super().receive(channel)
        except outages.CONNECTION_ERRORS as error:
            self._lost(error, "")
            raise

    async def _receive_local(self, channel: str) -> dict:
        assert self.require_valid_channel_name(channel)
        self._closed.pop(channel, None)
        loop = asyncio.get_running_loop()
        reader = self._readers.get(loop)
        if reader is None or reader.done():
            for old in [old for old in self._readers if old.is_closed()]:
                del self._readers[old]  # a test's loop that ended
            self._readers[loop] = loop.create_task(
                self._read(self.non_local_name(channel)), name="channel-layer read"
            )
        buffered = self._buffered.get(channel)
        if buffered:
            item = buffered.popleft()
            if not buffered:
                del self._buffered[channel]
        else:
            # A waiting receive is one future (about 0.1 KB), not an asyncio.Queue with
            # its three deques (about 3 KB): ten thousand idle sockets each wait here.
            future = loop.create_future()
            self._waiting.setdefault(channel, []).append(future)
            try:
                item = await future
            except asyncio.CancelledError:
                waiting = self._waiting.get(channel)
                if waiting is not None and future in waiting:
                    waiting.remove(future)
                    if not waiting:
                        del self._waiting[channel]
                if channel not in self._waiting:
                    self._close_channel(channel)  # its socket closed, nobody else waits
                raise
        if isinstance(item, _Failed):
            raise item.error
        return item

    def _deliver(self, channel: str, message: dict | _Failed) -> None:
        waiting = self._waiting.get(channel)
        while waiting:
            future = waiting.pop(0)  # the first receive in (the layer spec's rule)
            if not waiting:
                del self._waiting[channel]
            if not future.done():
                future.set_result(message)
                return
        buffered = self._buffered.setdefault(channel, collections.deque())
        if len(buffered) >= self.get_capacity(channel):
            buffered.popleft()  # a receiver that stopped reading: drop the oldest
        buffered.append(message)

    def _close_channel(self, channel: str) -> None:
        self._buffered.pop(channel, None)
        now = time.monotonic()
        self._closed[channel] = now
        keep = 2 * self.expiry
        while self._closed:
            name, when = next(iter(self._closed.items()))
            if now - when <= keep:
                break
            del self._closed[name]

    async def _read(self, process_channel: str) -> None:
        """Pop this process's messages and hand each to its channel's receive.

        Never cancelled but by close_pools(): a cancelled pop can lose a message that
        Redis has already handed over. A late answer is read again, up to
        SLOW_ANSWERS_TOLERATED times in a row: a busy process is not a lost Redis, and
        failing the receives closes every socket of the process at once. Any other
        failure, or one late answer too many, ends the reader and is handed to every
        waiting receive; the next receive starts a new reader.
        """
        late = 0
        while True:
            try:
                target, message = await self.receive_single(process_channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if is_late(error) and late < SLOW_ANSWERS_TOLERATED:
                    late += 1
                    logger.warning(
                        "channel layer: a late answer from Redis (%s: %s, %d in a row); "
                        "reading again",
                        error.__class__.__name__,
                        error,
                        late,
                    )
                    await asyncio.sleep(READ_RETRY_SECONDS)
                    continue
                waiting, self._waiting = self._waiting, {}
                failed = _Failed(_no_answer(error) if is_late(error) else error)
                for future in (f for futures in waiting.values() for f in futures):
                    if not future.done():
                        future.set_result(failed)
                return
            late = 0
            for name in target if isinstance(target, list) else (target,):
                if name not in self._closed:
                    self._deliver(name, message)

    async def _clean_receive_backup(self, index: int, channel: str) -> None:
        """Clear a read message's backup copy, as channels_redis does after each pop, but
        try a late answer again: its task is awaited by nobody, so a failure was only
        "Task exception was never retrieved" in the log, and the copy stayed, to be
        handed out again by the next read (a room's frame twice on every socket)."""
        for attempt in range(SLOW_ANSWERS_TOLERATED + 1):
            try:
                await super()._clean_receive_backup(index, channel)
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if is_late(error) and attempt < SLOW_ANSWERS_TOLERATED:
                    await asyncio.sleep(READ_RETRY_SECONDS)
                    continue
                logger.warning(
                    "channel layer: a read message's backup copy was not cleared (%s: %s); "
                    "it may be read twice",
                    error.__class__.__name__,
                    error,
                )
                return

    async def close_pools(self) -> None:
        for task in self._readers.values():
            task.cancel()
        self._readers.clear()
        for task in self._watchers.values():
            task.cancel()
        with contextlib.suppress(Exception):
            await super().close_pools()
