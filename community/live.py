"""What happens after a transaction commits: live events, cross-app signals, chores.

Every socket a signed-in member opens joins the group ``member-<id>``. Action functions
call :func:`send_to_member` and the event goes out only after the surrounding database
transaction commits, so a web form and a websocket frame produce the same event and no
one sees a change that was rolled back.

:func:`after_commit` is the one way to run anything once the transaction commits, and
:func:`send_signal_after_commit` the one way to send a cross-app signal
(community.signals): a failure there is logged with its traceback and never turns work
that is already saved into an error (Zulip's ``send_event_on_commit``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import weakref
from collections import deque
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.dispatch import Signal

from hearth import outages
from hearth.commit import after_commit

logger = logging.getLogger(__name__)


def send_signal_after_commit(signal: Signal, **kwargs: Any) -> None:
    """Send a cross-app signal once committed; each receiver that fails is logged, the
    others still run (``send_robust``)."""

    def send() -> None:
        for receiver, result in signal.send_robust(**kwargs):
            if isinstance(result, Exception):
                logger.error(
                    "after commit: receiver %r of %s failed",
                    receiver,
                    kwargs.get("sender"),
                    exc_info=(type(result), result, result.__traceback__),
                )

    after_commit(send, what=f"sending a signal from {kwargs.get('sender')}")


def member_group(user_id: int) -> str:
    return f"member-{user_id}"


def session_group(session_key: str) -> str:
    # Group names allow only a limited alphabet and length; session keys fit it.
    return f"session-{session_key}"


def _send_now(group: str, event: dict[str, Any]) -> None:
    """Send, never raise: what the event announces is already saved, and sockets that
    miss it catch up when they reconnect. While Redis is away, do not even try.

    In a thread that runs for an event loop (a socket's database thread, a view under
    ASGI) the event is handed to that loop and the thread goes on at once: waiting for
    a busy loop to take it made every later save of the process wait too."""
    layer = get_channel_layer()
    if layer is None or not outages.worth_trying(outages.CHANNEL_LAYER):
        return
    loop = _loop_of_this_thread()
    if loop is not None and _Announcer.of(loop).hand_over(group, event):
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except outages.CONNECTION_ERRORS as error:
        outages.report_down(outages.CHANNEL_LAYER, error)
    except Exception:
        logger.exception("live: sending %s to %s failed", event.get("type"), group)


def _loop_of_this_thread() -> asyncio.AbstractEventLoop | None:
    """The event loop this thread works for (asgiref's sync_to_async notes it), if it
    is still running and this thread is not the loop's own."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return loop
    return None


# A closing socket waits at most this long for what it announced.
SENT_WAIT_SECONDS = 10.0
# An announcement that found the channel layer's pool busy is tried this many times in
# all (each waits up to the pool's timeout for a connection) before it is given up.
SEND_TRIES = 3


async def announcements_sent() -> None:
    """Wait until what this event loop's threads announced has gone to the channel layer."""
    announcer = _Announcer._of_loop.get(asyncio.get_running_loop())
    if announcer is not None:
        await announcer.sent()


class _Announcer:
    """One event loop's announcements, sent one after the other by one task, so they
    leave in the order they were saved in."""

    _of_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Announcer] = (
        weakref.WeakKeyDictionary()
    )
    _lock = threading.Lock()

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: deque[tuple[str, dict[str, Any]]] = deque()
        self.task: asyncio.Task | None = None
        self.added = 0  # events handed over so far
        self.done = 0  # of which sent (or given up on)
        self.waiters: list[tuple[int, asyncio.Future[None]]] = []

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop) -> _Announcer:
        with cls._lock:
            announcer = cls._of_loop.get(loop)
            if announcer is None:
                announcer = cls._of_loop[loop] = cls(loop)
            return announcer

    async def sent(self, timeout: float = SENT_WAIT_SECONDS) -> None:
        """Once everything handed over before this call has been sent (a socket closing
        waits for this: when a deploy stops the server, the loop ends with its last
        socket). Not what comes later: a busy room would keep a closing socket waiting."""
        if self.done >= self.added:
            return
        waiter: asyncio.Future[None] = self.loop.create_future()
        self.waiters.append((self.added, waiter))
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            logger.warning("live: announcements still waiting after %s s", timeout)

    def hand_over(self, group: str, event: dict[str, Any]) -> bool:
        """From any thread; False when the loop has just closed."""
        try:
            self.loop.call_soon_threadsafe(self._add, group, event)
        except RuntimeError:
            return False
        return True

    def _add(self, group: str, event: dict[str, Any]) -> None:
        self.added += 1
        self.pending.append((group, event))
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self._send_pending())

    async def _send_pending(self) -> None:
        while self.pending:
            group, event = self.pending.popleft()
            layer = get_channel_layer()
            if layer is None or not outages.worth_trying(outages.CHANNEL_LAYER):
                self._one_done()
                continue
            try:
                await self._send(layer, group, event)
            finally:
                self._one_done()

    async def _send(self, layer, group: str, event: dict[str, Any]) -> None:
        for attempt in range(1, SEND_TRIES + 1):
            try:
                await layer.group_send(group, event)
            except outages.CONNECTION_ERRORS as error:
                outages.report_down(outages.CHANNEL_LAYER, error)
                if outages.is_busy(error) and attempt < SEND_TRIES:
                    continue  # no free connection yet (a reconnect storm): wait again
            except Exception:
                logger.exception("live: sending %s to %s failed", event.get("type"), group)
            else:
                if outages.is_down(outages.CHANNEL_LAYER):
                    outages.report_up(outages.CHANNEL_LAYER)  # it answered: say so
            return

    def _one_done(self) -> None:
        self.done += 1
        still = []
        for target, waiter in self.waiters:
            if self.done >= target:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                still.append((target, waiter))
        self.waiters = still


def send_to_group(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to a channel-layer group once the current transaction commits."""
    after_commit(lambda: _send_now(group, event), what=f"sending {event.get('type')}")


def send_to_member(user_id: int, event: dict[str, Any]) -> None:
    send_to_group(member_group(user_id), event)


def disconnect_member(user_id: int, *, reason: str) -> None:
    """Close every open socket of a member (suspension)."""
    send_to_member(user_id, {"type": "hearth.disconnect", "reason": reason})


def disconnect_session(session_key: str, *, reason: str) -> None:
    """Close the sockets opened with one browser session (logout)."""
    send_to_group(session_group(session_key), {"type": "hearth.disconnect", "reason": reason})
