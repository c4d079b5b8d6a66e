"""The member's notification socket, and the base every Hearth socket builds on.

Consumers are glue: they read ``scope["user"]``, call actions and relay events.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from community.live import member_group, session_group
from community.models import Notification

# Application close codes (4000-4999 are free for applications).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_SIGNED_OUT = 4001


class HearthConsumer(AsyncJsonWebsocketConsumer):
    """Joins the member and session groups so logout and suspension close the socket."""

    _hearth_groups: list[str]

    async def join_identity_groups(self) -> None:
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


class NotificationConsumer(HearthConsumer):
    """/ws/notifications/: pushes new notifications and the unread count to the bell."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.join_identity_groups()
        await self.accept()
        await self.send_json({"type": "count", "unread": await self._unread_count(user.pk)})

    async def disconnect(self, code: int) -> None:
        await self.leave_identity_groups()

    async def receive_json(self, content, **kwargs) -> None:
        # The bell only listens; anything sent is answered, never acted on.
        await self.send_json(
            {"type": "error", "code": "read_only", "message": "This socket only sends."}
        )

    async def decode_json(self, text_data: str):
        import json

        try:
            return json.loads(text_data)
        except ValueError:
            return None

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

    @database_sync_to_async
    def _unread_count(self, user_id: int) -> int:
        return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
