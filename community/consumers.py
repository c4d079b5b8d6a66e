"""The member's notification socket, and the base every Hearth socket builds on.

Consumers are glue: they read ``scope["user"]``, call actions and relay events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from community.live import member_group, session_group
from community.models import Notification
from hearth import heap, outages
from hearth.i18n import offered

logger = logging.getLogger(__name__)

# Application close codes (4000-4999 are free for applications).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_SIGNED_OUT = 4001
# A service the socket needs (Redis) is down: reconnect later, with backoff and jitter.
CLOSE_UNAVAILABLE = 4503
CLOSE_INTERNAL_ERROR = 1011


def socket_language(scope: dict) -> str:
    """The language a socket speaks (its error texts, what it renders), as a page would:
    the member's own, else the language cookie, else the browser's, else the site's."""
    user = scope.get("user")
    own = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if own and offered(own):
        return own
    chosen = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen and offered(chosen):
        return chosen
    headers = dict(scope.get("headers") or ())
    accepted = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accepted):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


# What uvicorn raises for a send on a socket it has closed itself.
SERVER_CLOSED = "after sending 'websocket.close'"


class HearthConsumer(AsyncJsonWebsocketConsumer):
    """The base of every Hearth socket.

    - Joins the member and session groups so logout and suspension close the socket.
    - Refuses a handshake by accepting and closing with an application code (4401, 4403,
      4404, 4503), so the browser's script can tell "stop" from "try again": a refused
      handshake only reaches it as 1006.
    - Whatever goes wrong (a bug, a Redis outage), the socket is closed with a code and
      ``disconnect()`` runs exactly once, so presence and counters stay right.
    """

    _hearth_groups: list[str]
    _accepted = False
    _close_sent = False
    _disconnected = False

    async def __call__(self, scope, receive, send) -> None:
        try:
            with translation.override(socket_language(scope)):
                await super().__call__(scope, receive, self._until_closed(send))
        except outages.CLIENT_GONE:
            pass  # the client closed the socket: nobody to tell, nothing to report
        except Exception as error:
            if outages.is_outage(error):
                outages.report_down("channel layer", error)
                code = CLOSE_UNAVAILABLE
            else:
                logger.exception("socket %s failed", scope.get("path", "?"))
                code = CLOSE_INTERNAL_ERROR
            with contextlib.suppress(Exception):
                await self.refuse(code)
        finally:
            await self._disconnect_once(CLOSE_INTERNAL_ERROR)

    def _until_closed(self, send):
        """``send``, made to drop what comes after the socket's close: a socket closed
        from another task (the channel layer lost, a member signed out) may be in the
        middle of answering a frame, and the server refuses a send after the close.
        Nobody is there to read it; the client reconnects and catches up."""

        async def send_until_closed(message: dict) -> None:
            kind = message["type"]
            if self._close_sent and kind in ("websocket.send", "websocket.close"):
                return
            if kind == "websocket.close":
                self._close_sent = True
            try:
                await send(message)
            except RuntimeError as error:
                # The server closed the socket on its own (uvicorn: its keepalive ping
                # went unanswered on a busy process) and refuses what follows.
                if SERVER_CLOSED not in str(error):
                    raise
                self._close_sent = True

        return send_until_closed

    async def accept(self, subprotocol=None, headers=None) -> None:
        await super().accept(subprotocol, headers)
        self._accepted = True
        heap.socket_opened()

    async def refuse(self, code: int) -> None:
        """Close with ``code``, accepting first so the client sees the code."""
        if not self._accepted:
            await self.accept()
        await self.close(code=code)

    async def websocket_disconnect(self, message: dict) -> None:
        await self._disconnect_once(message.get("code", 1000))
        await super().websocket_disconnect(message)

    async def disconnect(self, code: int) -> None:
        """Override :meth:`cleanup` instead: this one is guarded to run once."""

    async def _disconnect_once(self, code: int) -> None:
        if self._disconnected:
            return
        self._disconnected = True
        if self._accepted:
            heap.socket_closed()
        try:
            await self.cleanup(code)
        except Exception as error:
            if outages.is_outage(error):
                outages.report_down("channel layer", error)
            elif not isinstance(error, outages.CLIENT_GONE):
                logger.exception("closing socket %s failed", self.scope.get("path", "?"))

    async def cleanup(self, code: int) -> None:
        forget = getattr(self.channel_layer, "forget", None)
        if forget is not None:
            forget(self)
        await self.leave_identity_groups()

    def layer_lost(self) -> None:
        """Redis went away or restarted (hearth.layers): this socket's group memberships
        may be gone, so close it; the client reconnects with backoff and catches up."""
        asyncio.get_running_loop().create_task(self._close_unavailable())

    async def _close_unavailable(self) -> None:
        with contextlib.suppress(Exception):
            await self.refuse(CLOSE_UNAVAILABLE)

    async def join_identity_groups(self) -> None:
        watch = getattr(self.channel_layer, "watch", None)
        if watch is not None:  # before joining, so a restart from now on is noticed
            await watch(self)
        self._hearth_groups = []
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            self._hearth_groups.append(member_group(user.pk))
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None)
        if session_key:
            self._hearth_groups.append(session_group(session_key))
        for group in self._hearth_groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def leave_identity_groups(self) -> None:
        for group in getattr(self, "_hearth_groups", []):
            with contextlib.suppress(*outages.CONNECTION_ERRORS):
                await self.channel_layer.group_discard(group, self.channel_name)

    async def hearth_disconnect(self, event: dict) -> None:
        await self.send_json({"type": "error", "code": "signed_out", "message": event["reason"]})
        await self.close(code=CLOSE_SIGNED_OUT)

    # Events for other socket kinds that reach this one through the member group are
    # ignored rather than crashing the consumer.
    async def notification_new(self, event: dict) -> None:  # pragma: no cover - overridden
        pass

    async def notification_count(self, event: dict) -> None:  # pragma: no cover - overridden
        pass

    async def conversation_message(self, event: dict) -> None:  # pragma: no cover
        pass

    async def conversation_count(self, event: dict) -> None:  # pragma: no cover
        pass

    async def hearth_standing(self, event: dict) -> None:
        """A penalty of the member started or ended (community.moderation); the chat
        socket answers it, the others have nothing to change."""


class NotificationConsumer(HearthConsumer):
    """/ws/notifications/: pushes new notifications and the unread count to the bell."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        await self.join_identity_groups()
        await self.accept()
        await self.send_json({"type": "count", "unread": await self._unread_count(user.pk)})

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # The bell only listens: any frame, text or binary, of any shape, is answered
        # with the same error and never parsed.
        await self.send_json(
            {"type": "error", "code": "read_only", "message": "This socket only sends."}
        )

    async def notification_new(self, event: dict) -> None:
        await self.send_json(
            {
                "type": "notification",
                "notification": event["notification"],
                "unread": event["unread"],
            }
        )

    async def notification_count(self, event: dict) -> None:
        await self.send_json({"type": "count", "unread": event["unread"]})

    # Private messages (community.conversations): a new message for this member, and
    # their unread-messages count. "messages_unread", not "unread": that is the bell's.
    async def conversation_message(self, event: dict) -> None:
        await self.send_json(
            {"type": "message", "message": event["message"], "messages_unread": event["unread"]}
        )

    async def conversation_count(self, event: dict) -> None:
        await self.send_json({"type": "messages_count", "messages_unread": event["unread"]})

    @database_sync_to_async
    def _unread_count(self, user_id: int) -> int:
        return Notification.objects.unread_count(user_id)
