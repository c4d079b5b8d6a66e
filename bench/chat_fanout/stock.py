"""The baseline: the Channels tutorial's chat consumer, one group_send per message.

Every socket's consumer joins the room's group, so the layer makes one copy of each
message per socket and each consumer encodes and sends its own frame. Served by
uvicorn exactly like Hearth: ``uvicorn bench.chat_fanout.stock:application``.
"""

from __future__ import annotations

import itertools
import json
import os
from datetime import UTC, datetime

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "bench-stock-room"
AUTHOR = {"id": 1, "username": "sender", "name": "Sender", "url": "/members/sender/"}
_ids = itertools.count(1)


class StockChatConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        data = json.loads(text_data)
        message = {
            "id": next(_ids),
            "author": AUTHOR,
            "body": data["body"],
            "created_at": datetime.now(UTC).isoformat(),
            "edited_at": None,
            "reactions": {},
        }
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": message})

    async def chat_message(self, event: dict) -> None:
        await self.send(text_data=json.dumps({"type": "message", "message": event["message"]}))


application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("ws/stock/", StockChatConsumer.as_asgi())])}
)
