"""One channel-layer subscription per active room per server process.

Stock Channels puts every socket's consumer in the room's group, so one chat message
becomes one layer message per socket (300 sockets: 300 Redis round trips or 300 queue
copies, 300 task wake-ups, 300 JSON encodings). Here each server process joins the
room's group once, with a channel of its own; the action that saved the message sends
the frame already encoded, and the hub writes that same text to every local socket in
the room in one loop (directly to the transport under uvicorn, see wire.py; through
the ASGI send otherwise).

A socket that cannot keep up (a send to it blocks the round for longer than
SLOW_SOCKET_SECONDS, i.e. its transport buffer is full) is closed with 1013 ("try
again later") instead of stalling the room; its client reconnects and catches up with
a ``since`` frame, so nothing is lost.

Works with any channel layer: in memory (one process) and channels_redis (every
process subscribes, so a message sent through one reaches sockets on all of them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Sequence
from typing import Protocol

from channels.layers import get_channel_layer

from community.chat.wire import text_frame
from hearth import outages

logger = logging.getLogger(__name__)

FRAME_EVENT = "chat.frame"
SLOW_SOCKET_SECONDS = 2.0
# After a failed receive, wait this long before the next try.
RETRY_SECONDS = 1.0
# channels_redis forgets group members after a day (group_expiry); renew well before.
REFRESH_SECONDS = 60 * 60


class Subscriber(Protocol):
    def write_now(
        self,
        texts: Sequence[str],
        datas: Sequence[bytes],
        wire: bytes,
        message_ids: Sequence[int | None],
    ) -> bool:
        """Deliver (or buffer) these frames without waiting (``wire``: all of them, framed,
        back to back); False when deliver() must be awaited, frame by frame."""
        ...

    async def deliver(self, message: dict, message_id: int | None) -> None: ...

    async def drop_slow(self) -> None: ...


class _Room:
    __slots__ = ("channel", "group", "subscribers", "task")

    def __init__(self, group: str, channel: str) -> None:
        self.group = group
        self.channel = channel
        self.subscribers: dict[Subscriber, None] = {}  # insertion-ordered set
        self.task: asyncio.Task | None = None


class RoomHub:
    """Per event loop and channel layer: the rooms this process has sockets in."""

    def __init__(self, layer) -> None:
        self.layer = layer
        self.rooms: dict[str, _Room] = {}
        self._lock = asyncio.Lock()
        self._refresher: asyncio.Task | None = None

    async def subscribe(self, group: str, subscriber: Subscriber) -> None:
        async with self._lock:
            room = self.rooms.get(group)
            if room is None:
                watch = getattr(self.layer, "watch", None)
                if watch is not None:  # Redis restarts empty: see layer_lost()
                    await watch(self)
                # The default prefix on purpose: channels_redis multiplexes all of a
                # process's channels through one Redis list per prefix, and polls only
                # the list of whoever holds its receive lock.
                channel = await self.layer.new_channel()
                await self.layer.group_add(group, channel)
                room = _Room(group, channel)
                room.task = asyncio.create_task(self._pump(room), name=f"chat-hub {group}")
                self.rooms[group] = room
                if self._refresher is None or self._refresher.done():
                    self._refresher = asyncio.create_task(self._refresh(), name="chat-hub refresh")
            room.subscribers[subscriber] = None

    async def unsubscribe(self, group: str, subscriber: Subscriber) -> None:
        async with self._lock:
            room = self.rooms.get(group)
            if room is None:
                return
            room.subscribers.pop(subscriber, None)
            if room.subscribers:
                return
            del self.rooms[group]
            if room.task is not None:
                room.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await room.task
            with contextlib.suppress(Exception):
                await self.layer.group_discard(group, room.channel)
            if not self.rooms and self._refresher is not None:
                self._refresher.cancel()
                self._refresher = None

    def layer_lost(self) -> None:
        """Redis went away or restarted empty (hearth.layers): the rooms' group
        memberships may be gone. Forget every room; the sockets close themselves
        (4503), and their clients' reconnects subscribe afresh and catch up."""
        rooms, self.rooms = self.rooms, {}
        for room in rooms.values():
            if room.task is not None:
                room.task.cancel()
        if self._refresher is not None:
            self._refresher.cancel()
            self._refresher = None

    def local_count(self, group: str) -> int:
        room = self.rooms.get(group)
        return len(room.subscribers) if room else 0

    async def _pump(self, room: _Room) -> None:
        while True:
            try:
                event = await self.layer.receive(room.channel)
            except asyncio.CancelledError:
                raise
            except outages.CONNECTION_ERRORS as error:
                # Redis is away: the layer tells every listener (layer_lost), which ends
                # this room; until then, wait without a traceback per attempt.
                outages.report_down(outages.CHANNEL_LAYER, error)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            except Exception:
                logger.exception("chat hub: receiving for %s failed", room.group)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if event.get("type") != FRAME_EVENT:
                continue
            if "frames" in event:  # several messages saved together, in id order
                await self._fan_out(room, [(frame, id_) for frame, id_ in event["frames"]])
            else:
                await self._fan_out(room, [(event["frame"], event.get("id"))])

    async def _fan_out(self, room: _Room, frames: list[tuple[str, int | None]]) -> None:
        texts = tuple(text for text, _ in frames)
        message_ids = tuple(message_id for _, message_id in frames)
        datas = tuple(text.encode() for text in texts)  # once for the room, not per socket
        wire = b"".join(text_frame(data) for data in datas)
        waiting = []
        # A copy: a delivery may close a socket, which unsubscribes it mid-loop.
        for subscriber in list(room.subscribers):
            try:
                if not subscriber.write_now(texts, datas, wire, message_ids):
                    waiting.append(subscriber)
            except Exception:  # a socket that went away between frames
                room.subscribers.pop(subscriber, None)
        for text, message_id in frames:
            waiting = [s for s in waiting if s in room.subscribers]  # not the dropped
            if waiting:
                await self._deliver_waiting(room, waiting, text, message_id)

    async def _deliver_waiting(
        self, room: _Room, subscribers: list, frame: str, message_id: int | None
    ) -> None:
        message = {"type": "websocket.send", "text": frame}  # one dict for every socket
        index = 0
        while index < len(subscribers):
            # One deadline for the whole round, not one per socket (that would cost a
            # timer per delivery). A send only waits when that socket's transport buffer
            # is full; then the deadline fires, that socket is dropped and the round
            # goes on with a fresh deadline.
            try:
                async with asyncio.timeout(SLOW_SOCKET_SECONDS):
                    while index < len(subscribers):
                        subscriber = subscribers[index]
                        index += 1
                        try:
                            await subscriber.deliver(message, message_id)
                        except Exception:  # a socket that went away between frames
                            room.subscribers.pop(subscriber, None)
            except TimeoutError:
                slow = subscribers[index - 1]
                room.subscribers.pop(slow, None)
                asyncio.create_task(slow.drop_slow())

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            for room in list(self.rooms.values()):
                with contextlib.suppress(Exception):
                    await self.layer.group_add(room.group, room.channel)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomHub] = weakref.WeakKeyDictionary()


def get_hub(layer=None) -> RoomHub:
    """The hub of the running event loop (tests run one loop per test)."""
    layer = layer or get_channel_layer()
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = RoomHub(layer)
        _hubs[loop] = hub
    return hub
