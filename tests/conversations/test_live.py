"""A new message reaches the other members' bell sockets as a ``message`` frame."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from community.conversations import actions
from hearth.asgi import application
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _bell(user) -> WebsocketCommunicator:
    cookie = await sync_to_async(_cookie_for)(user)
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "count"
    return communicator


async def test_the_other_member_gets_the_message_and_their_count_live():
    maya = await sync_to_async(make_member)(username="maya")
    sam = await sync_to_async(make_member)(username="sam")
    bell = await _bell(sam)
    try:
        conversation = await sync_to_async(actions.start_conversation)(
            starter=maya, recipients=[sam], body="Hi <b>Sam</b>"
        )
        frame = await bell.receive_json_from(timeout=5)
        assert frame["type"] == "message"
        assert frame["messages_unread"] == 1
        assert frame["message"]["conversation"] == conversation.pk
        assert "Hi &lt;b&gt;Sam&lt;/b&gt;" in frame["message"]["html"]
        assert "unread" not in frame  # the bell's own count is not touched

        await sync_to_async(actions.mark_read)(conversation=conversation, member=sam)
        assert await bell.receive_json_from(timeout=5) == {
            "type": "messages_count",
            "messages_unread": 0,
        }
    finally:
        await bell.disconnect()


async def test_the_starter_gets_no_frame_of_their_own_message():
    maya = await sync_to_async(make_member)(username="maya")
    sam = await sync_to_async(make_member)(username="sam")
    bell = await _bell(maya)
    try:
        conversation = await sync_to_async(actions.start_conversation)(
            starter=maya, recipients=[sam], body="Hi"
        )
        await sync_to_async(actions.send_message)(
            conversation=conversation, author=sam, body="Hello Maya"
        )
        # Her first frame is Sam's answer: none came for her own message.
        frame = await bell.receive_json_from(timeout=5)
        assert "Hello Maya" in frame["message"]["html"]
    finally:
        await bell.disconnect()
