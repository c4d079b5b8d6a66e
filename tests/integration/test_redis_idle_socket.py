"""redis-py 8 closes sockets idle for 5 s by default (redis-py #4091), which used to kill
channels_redis subscriptions silently. The layer is configured with socket_timeout=None;
this proves a member's socket idle for a minute still gets live events."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from community import actions
from hearth.asgi import application
from tests.factories import make_member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def test_a_socket_idle_for_60_seconds_still_receives_events_on_redis(requires_redis):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "hearth.layers.RedisChannelLayer"
    member = await sync_to_async(make_member)()
    cookie = await sync_to_async(_cookie)(member)
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "count"

    await asyncio.sleep(61)

    await sync_to_async(actions.notify)(recipient=member, kind="reply", text="Still there?")
    event = await communicator.receive_json_from(timeout=10)
    assert event["notification"]["text"] == "Still there?"
    await communicator.disconnect()
