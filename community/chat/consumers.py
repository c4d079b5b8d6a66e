"""/ws/chat/<slug>/: one socket per open room page (protocol in docs/chat.md).

Glue only: frames are validated by protocol.py, state changes go through actions.py,
and room-wide frames reach this socket through the process's RoomHub (fanout.py), not
through a channel-layer group of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Sequence

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community import live
from community.chat import actions, limits, presence
from community.chat.actions import ChatError, author_payload, message_payload, reaction_counts
from community.chat.fanout import FRAME_EVENT, get_hub
from community.chat.models import ChatMessage, Room, room_group
from community.chat.protocol import (
    Frame,
    FrameError,
    StandingFrame,
    encode,
    error_frame,
    frame_too_large,
    parse_frame,
)
from community.chat.saver import get_saver
from community.chat.wire import direct_writer
from community.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, HearthConsumer
from community.mentions import members_mentioned_in
from community.models import REACTION_KEYS, User
from community.moderation.templatetags.moderation_tags import standing_notice_html
from hearth import outages
from hearth.network import network_of

logger = logging.getLogger(__name__)

CLOSE_TOO_BIG = 1009
# daphne (autobahn) only lets applications close with 1000 or 3000-4999.
CLOSE_TOO_BIG_FALLBACK = 4009
CLOSE_TRY_AGAIN = 1013
TYPING_EVERY_SECONDS = 2.0
# A catch-up (``since``) sends at most this many messages, the newest; the client pages
# back through the rest with ``history``. It is limited per socket and per network.
SINCE_MAX = 500
SINCE_PER_MINUTE = 6
SINCE_PER_NETWORK_PER_MINUTE = 120
# A socket that closes while its sends are being saved waits this long for them.
SAVE_BEFORE_CLOSE_SECONDS = 10


def _server_error(ref: str | None) -> dict:
    return error_frame(
        "server_error",
        _("Something went wrong on our side; nothing was changed. Try again."),
        ref=ref,
    )


def _payloads(messages: list[ChatMessage]) -> list[dict]:
    counts = reaction_counts(m.pk for m in messages)
    members = members_mentioned_in(m.body for m in messages)
    return [message_payload(m, reactions=counts.get(m.pk), members=members) for m in messages]


def missed_messages(
    room_id: int, after_id: int, upto_id: int, limit: int
) -> tuple[list[dict], bool]:
    """The answer to ``since``: the newest ``limit`` visible messages with ids in
    (after_id, upto_id], oldest first, and whether older ones were left out.

    One query (messages, authors and reaction counts together; a second one only when
    the messages mention members), none when nothing can have been missed: after a
    deploy every open page asks at once.
    """
    if after_id >= upto_id:
        return [], False
    counts = {
        f"reactions_{key}": Count("reactions", filter=Q(reactions__kind=key))
        for key in REACTION_KEYS
    }
    page = list(
        ChatMessage.objects.visible()
        .filter(room_id=room_id, id__gt=after_id, id__lte=upto_id)
        .select_related("author")
        .annotate(**counts)
        .order_by("-id")[: limit + 1]
    )
    messages = list(reversed(page[:limit]))
    members = members_mentioned_in(m.body for m in messages)
    payloads = [
        message_payload(
            m,
            reactions={key: n for key in REACTION_KEYS if (n := getattr(m, f"reactions_{key}"))},
            members=members,
        )
        for m in messages
    ]
    return payloads, len(page) > limit


def _slow_down(seconds: float) -> ChatError:
    wait = max(1, math.ceil(seconds))
    return ChatError(
        ngettext(
            "Too many catch-up requests; try again in %(seconds)d second.",
            "Too many catch-up requests; try again in %(seconds)d seconds.",
            wait,
        )
        % {"seconds": wait},
        code="rate_limited",
        retry_after=wait,
    )


async def _announce_presence(room_id: int, joins: list[dict], leaves: list[dict]) -> None:
    count = len(await sync_to_async(presence.present, thread_sensitive=False)(room_id))
    frame = presence.frame(count, joins, leaves)
    await get_channel_layer().group_send(
        room_group(room_id), {"type": FRAME_EVENT, "frame": encode(frame), "id": None}
    )


# Arrivals and departures of this process's sockets, announced per room in batches.
batches = presence.Batches(_announce_presence)


class ChatConsumer(HearthConsumer):
    room: Room
    member: User | None

    # --- life cycle -------------------------------------------------------------------

    async def connect(self) -> None:
        self._replaying = False
        self._pending: list[tuple[str, int | None]] = []
        # Every message above _live_from reaches this socket live (it subscribed before
        # reading the room's newest id); the few at or below it that also arrived live
        # are remembered in _early. A catch-up sends neither again.
        self._live_from: int | None = None
        self._early: set[int] = set()
        # At most SINCE_PER_MINUTE times: a list (an empty deque alone is ~0.6 KB, on
        # every one of thousands of idle sockets).
        self._since_times: list[float] = []
        self._subscribed = False
        self._present = False
        self._last_typing = 0.0
        self._send_queue: list[Frame] = []
        self._send_worker: asyncio.Task | None = None
        slug = self.scope["url_route"]["kwargs"]["slug"]
        found = await self._load_room(slug)
        if found is None:
            await self.refuse(CLOSE_NOT_FOUND)
            return
        self.room, self.member, allowed = found
        if not allowed:
            await self.refuse(CLOSE_FORBIDDEN)
            return
        self.group = room_group(self.room.pk)
        await self.join_identity_groups()
        await self.accept()
        await get_hub().subscribe(self.group, self)
        self._subscribed = True
        if self.member is not None:
            self._present = True
            joined = await sync_to_async(presence.join, thread_sensitive=False)(
                self.room.pk, self.member.pk, self.member.name
            )
            if joined:
                presence.pings.changed(self.room.pk)
                batches.changed(
                    self.room.pk, {"id": self.member.pk, "name": self.member.name}, here=True
                )
        await self.send_json(await self._ready_frame())

    async def cleanup(self, code: int) -> None:
        if getattr(self, "_subscribed", False):
            await get_hub().unsubscribe(self.group, self)
            self._subscribed = False
        await super().cleanup(code)
        if getattr(self, "_present", False):
            assert self.member is not None  # only a member joins the presence list
            self._present = False
            await presence.pings.leaving(self.room.pk, self.member.pk)
            gone = await sync_to_async(presence.leave, thread_sensitive=False)(
                self.room.pk, self.member.pk
            )
            if gone:
                presence.pings.changed(self.room.pk)
                batches.changed(
                    self.room.pk, {"id": self.member.pk, "name": self.member.name}, here=False
                )
        # A send being saved while the socket closed is finished and announced before
        # the application returns: the last one to return lets a stopping server (a
        # deploy) end the loop, and members on the other server would never hear of it.
        worker = getattr(self, "_send_worker", None)
        if worker is not None and not worker.done():
            await asyncio.wait([worker], timeout=SAVE_BEFORE_CLOSE_SECONDS)
        await live.announcements_sent()

    async def dispatch(self, message: dict) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            # Events meant for other sockets of the member (through the member group)
            # are ignored instead of raising "No handler" and killing this socket.
            return
        # Channels' own dispatch first hops to the database thread to close stale
        # connections, for every frame (pings and typing included). All of this
        # consumer's database work goes through database_sync_to_async, which already
        # does that around each call, so that extra hop is skipped.
        await handler(message)

    # --- from the hub -----------------------------------------------------------------

    async def __call__(self, scope, receive, send) -> None:
        # Room frames go straight to the server's send: not through the close guard
        # (HearthConsumer), and a direct write checks the socket's state itself.
        self._raw_send = send
        self._direct_write = direct_writer(self._raw_send)
        await super().__call__(scope, receive, send)

    def write_now(
        self,
        texts: Sequence[str],
        datas: Sequence[bytes],
        wire: bytes,
        message_ids: Sequence[int | None],
    ) -> bool:
        if self._replaying:
            self._pending.extend(zip(texts, message_ids, strict=True))
            return True
        if self._direct_write is None or not self._direct_write(datas, wire):
            return False
        for message_id in message_ids:
            self._delivered_live(message_id)
        return True

    async def deliver(self, message: dict, message_id: int | None) -> None:
        if self._replaying:
            self._pending.append((message["text"], message_id))
            return
        await self._raw_send(message)
        self._delivered_live(message_id)

    def _delivered_live(self, message_id: int | None) -> None:
        if message_id is not None and (self._live_from is None or message_id <= self._live_from):
            self._early.add(message_id)

    async def drop_slow(self) -> None:
        try:
            await self.close(code=CLOSE_TRY_AGAIN)
        except Exception:
            await self.close(code=4013)

    # --- from the client --------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_json(error_frame("bad_frame", "Send text frames holding JSON."))
            return
        if frame_too_large(text_data):
            try:
                await self.close(code=CLOSE_TOO_BIG)
            except Exception:
                await self.close(code=CLOSE_TOO_BIG_FALLBACK)
            return
        try:
            frame = parse_frame(text_data)
        except FrameError as error:
            await self.send_json(error_frame(error.code, error.message, ref=error.ref))
            return
        try:
            await getattr(self, f"_on_{frame.type}")(frame)
        except ChatError as error:
            extra = {"retry_after": error.retry_after} if error.retry_after else {}
            await self.send_json(error_frame(error.code, error.message, ref=frame.ref, **extra))
        except outages.CLIENT_GONE:
            raise  # the client went away while we answered: no error frame, no log
        except outages.CONNECTION_ERRORS:
            raise  # the channel layer is gone: close with 4503 (see HearthConsumer)
        except Exception:
            logger.exception("chat: handling a %s frame failed", frame.type)
            await self.send_json(_server_error(frame.ref))

    def _require_member(self) -> User:
        if self.member is None:
            raise ChatError(_("Sign in to chat."), code="forbidden")
        return self.member

    async def _on_send(self, frame: Frame) -> None:
        # Sends are saved in arrival order by one worker per socket; frames that arrive
        # while a save is running are saved together in the next round, and the rounds
        # of every socket of the process share one trip to the database thread
        # (saver.py), so neither a burst nor a busy process pays a trip per message.
        self._require_member()
        self._send_queue.append(frame)
        if self._send_worker is None or self._send_worker.done():
            self._send_worker = asyncio.create_task(self._drain_sends())

    async def _drain_sends(self) -> None:
        while self._send_queue:
            batch, self._send_queue = self._send_queue, []
            assert self.member is not None  # _on_send refuses visitors
            results = await get_saver().save(
                self.room.pk, self.member.pk, [frame["body"] for frame in batch]
            )
            for frame, result in zip(batch, results, strict=True):
                with contextlib.suppress(Exception):  # the socket may have closed meanwhile
                    if isinstance(result, ChatError):
                        extra = {"retry_after": result.retry_after} if result.retry_after else {}
                        await self.send_json(
                            error_frame(result.code, result.message, ref=frame.ref, **extra)
                        )
                    elif result is None:
                        await self.send_json(_server_error(frame.ref))
                    elif frame.ref is not None:
                        await self.send_json({"type": "ack", "ref": frame.ref, "id": result})

    async def _on_edit(self, frame: Frame) -> None:
        self._require_member()
        await self._call_on_message(actions.edit_message, frame["id"], "editor", body=frame["body"])
        await self._ack(frame)

    async def _on_delete(self, frame: Frame) -> None:
        self._require_member()
        await self._call_on_message(actions.delete_message, frame["id"], "actor")
        await self._ack(frame)

    async def _on_react(self, frame: Frame) -> None:
        self._require_member()
        await self._call_on_message(
            actions.react, frame["id"], "member", kind=frame["reaction"], on=frame.get("on")
        )
        await self._ack(frame)

    async def _ack(self, frame: Frame) -> None:
        # A frame that changed nothing (a repeated "on") sends no event; its ack is how
        # the client knows it was handled.
        if frame.ref is not None:
            await self.send_json({"type": "ack", "ref": frame.ref, "id": frame["id"]})

    async def _on_typing(self, frame: Frame) -> None:
        member = self._require_member()
        now = time.monotonic()
        if now - self._last_typing < TYPING_EVERY_SECONDS:
            return
        self._last_typing = now
        present = await sync_to_async(presence.count, thread_sensitive=False)(self.room.pk)
        if present > presence.TYPING_MAX_PRESENT:
            return
        await self._group_frame(
            {"type": "typing", "member": {"id": member.pk, "name": member.name}}
        )

    async def _on_history(self, frame: Frame) -> None:
        messages, more = await self._history(frame["before"], frame["limit"])
        await self.send_json(
            {"type": "history", "before": frame["before"], "messages": messages, "more": more}
        )

    async def _on_since(self, frame: Frame) -> None:
        await self._limit_since()
        # Buffer live frames while replaying, then drop the ones already replayed: every
        # missed message arrives exactly once and in order.
        self._replaying = True
        after = frame["after"]
        replayed: set[int] = set()
        last = after
        try:
            batch, more = await self._missed(after, self._live_from or 0, SINCE_MAX)
            for payload in batch:
                if payload["id"] in self._early:
                    continue
                await self.send(text_data=encode({"type": "message", "message": payload}))
                replayed.add(payload["id"])
                last = payload["id"]
        finally:
            pending, self._pending = self._pending, []
            self._replaying = False
        for text, message_id in pending:
            if message_id not in replayed:
                await self.send(text_data=text)
                self._delivered_live(message_id)
                if message_id is not None:
                    last = max(last, message_id)
        await self.send_json({"type": "synced", "last_id": last, "more": more})

    async def _limit_since(self) -> None:
        now = time.monotonic()
        times = self._since_times
        while times and now - times[0] >= 60:
            times.pop(0)
        if len(times) >= SINCE_PER_MINUTE:
            raise _slow_down(60 - (now - times[0]))
        client = self.scope.get("client") or ("", 0)
        network = network_of(client[0]) or client[0]
        wait = await sync_to_async(limits.take, thread_sensitive=False)(
            f"chat:since:{network}", capacity=SINCE_PER_NETWORK_PER_MINUTE, window=60
        )
        if wait is not None:
            raise _slow_down(wait)
        times.append(now)

    async def _on_read(self, frame: Frame) -> None:
        self._require_member()
        last = await self._call(actions.mark_read, "member", last_id=frame["id"])
        await self.send_json({"type": "read", "last_id": last})

    async def _on_ping(self, frame: Frame) -> None:
        member = self.member
        text = await presence.pings.answer(
            self.room.pk,
            member.pk if member is not None else None,
            member.name if member is not None else "",
        )
        await self.send(text_data=text)

    # --- the member's own events ---------------------------------------------------------

    async def hearth_standing(self, event: dict) -> None:
        """One of the member's penalties started, changed or ended: tell this page
        whether they may write here now, with the notice that replaces the input."""
        if self.member is None or event.get("scope") not in ("", actions.mute_scope(self.room)):
            return
        await self.send_json(await self._standing_frame())

    @database_sync_to_async
    def _standing_frame(self) -> dict:
        member = self._fresh_member()
        room = Room.objects.get(pk=self.room.pk)
        refusal = room.send_refusal(member)
        notice = standing_notice_html(member, scope=actions.mute_scope(room), refusal=refusal)
        frame = StandingFrame(
            can_send=not refusal, refusal=refusal, notice=notice if refusal else ""
        )
        return frame.model_dump()

    # --- helpers ----------------------------------------------------------------------

    async def _group_frame(self, frame: dict) -> None:
        await self.channel_layer.group_send(
            self.group, {"type": FRAME_EVENT, "frame": encode(frame), "id": None}
        )

    async def _ready_frame(self) -> dict:
        people = await sync_to_async(presence.present, thread_sensitive=False)(self.room.pk)
        info = await self._room_state()
        self._live_from = info["last_id"]
        self._early = {message_id for message_id in self._early if message_id <= info["last_id"]}
        return {
            "type": "ready",
            "room": {"slug": self.room.slug, "name": self.room.name, "archived": info["archived"]},
            "me": author_payload(self.member) if self.member else None,
            "can_send": info["refusal"] == "",
            "refusal": info["refusal"],
            "moderator": info["moderator"],
            "last_id": info["last_id"],
            "present": presence.listing(people),
            "ping_seconds": presence.PING_SECONDS,
        }

    @database_sync_to_async
    def _load_room(self, slug: str) -> tuple[Room, User | None, bool] | None:
        room = Room.objects.filter(slug=slug).first()
        if room is None:
            return None
        user = self.scope.get("user")
        member = user if user is not None and user.is_authenticated else None
        if member is not None and member.is_suspended:
            return room, None, False
        return room, member, room.can_read(member)

    @database_sync_to_async
    def _room_state(self) -> dict:
        # The room and the member were read a moment ago by this connect: not again (a
        # deploy's reconnect storm pays every query here thousands of times). A penalty
        # given meanwhile still reaches the page as a standing event: the socket joined
        # the member's group before either was read.
        last = (
            ChatMessage.objects.filter(room_id=self.room.pk)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        return {
            "archived": self.room.archived,
            "refusal": self.room.send_refusal(self.member),
            "moderator": bool(self.member and self.member.is_moderator),
            "last_id": last or 0,
        }

    def _fresh_member(self) -> User | None:
        # Silence, suspension and roles may have changed since the socket opened.
        if self.member is None:
            return None
        return User.objects.filter(pk=self.member.pk).first()

    @database_sync_to_async
    def _call(self, action, role: str, **kwargs):
        member = self._fresh_member()
        if member is None or member.is_suspended:
            raise ChatError(_("Sign in to chat."), code="forbidden")
        room = Room.objects.get(pk=self.room.pk)
        return action(room=room, **{role: member}, **kwargs)

    @database_sync_to_async
    def _call_on_message(self, action, message_id: int, role: str, **kwargs):
        member = self._fresh_member()
        if member is None or member.is_suspended:
            raise ChatError(_("Sign in to chat."), code="forbidden")
        message = (
            ChatMessage.objects.select_related("room", "author")
            .filter(pk=message_id, room_id=self.room.pk)
            .first()
        )
        if message is None or (message.is_deleted and action is not actions.delete_message):
            raise ChatError(_("There is no such message in this room."), code="not_found")
        if message.is_deleted:
            return None
        action(message=message, **{role: member}, **kwargs)
        return None

    @database_sync_to_async
    def _missed(self, after_id: int, upto_id: int, limit: int) -> tuple[list[dict], bool]:
        return missed_messages(self.room.pk, after_id, upto_id, limit)

    @database_sync_to_async
    def _history(self, before_id: int, limit: int) -> tuple[list[dict], bool]:
        messages, more = ChatMessage.objects.newest(
            room_id=self.room.pk, limit=limit, before=before_id
        )
        return _payloads(messages), more
