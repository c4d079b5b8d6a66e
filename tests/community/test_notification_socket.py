from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from community import actions
from hearth.asgi import application
from tests.factories import make_member, make_moderator
from tests.sockets import OPENED, recorded

pytestmark = pytest.mark.django_db(transaction=True)


def _session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _connect(cookie: str | None = None, origin: str = "http://testserver"):
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = recorded(
        WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    )
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def test_it_refuses_a_visitor_with_4401_after_the_handshake():
    communicator, connected, _ = await _connect()
    assert connected  # accepted, then closed with a code the bell script can read
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4401,
    }


async def test_it_refuses_a_foreign_origin():
    member = await sync_to_async(make_member)()
    cookie = await sync_to_async(_session_cookie_for)(member)
    communicator, connected, _ = await _connect(cookie, origin="https://evil.example")
    assert not connected
    await communicator.disconnect()


async def test_it_sends_the_unread_count_then_new_notifications_live():
    member = await sync_to_async(make_member)()
    other = await sync_to_async(make_member)()
    cookie = await sync_to_async(_session_cookie_for)(member)
    communicator, connected, _ = await _connect(cookie)
    assert connected
    assert await communicator.receive_json_from(timeout=5) == {"type": "count", "unread": 0}

    await sync_to_async(actions.notify)(
        recipient=member, kind="reply", text="Sam replied to you", url="/forum/", actor=other
    )
    event = await communicator.receive_json_from(timeout=5)
    assert event["type"] == "notification"
    assert event["unread"] == 1
    assert event["notification"]["text"] == "Sam replied to you"

    await sync_to_async(actions.mark_notifications_read)(member=member)
    assert await communicator.receive_json_from(timeout=5) == {"type": "count", "unread": 0}
    await communicator.disconnect()


async def test_it_does_not_notify_people_about_their_own_doing():
    member = await sync_to_async(make_member)()
    result = await sync_to_async(actions.notify)(
        recipient=member, kind="reply", text="you replied to yourself", actor=member
    )
    assert result is None


async def test_it_answers_anything_sent_with_an_error_and_stays_open():
    member = await sync_to_async(make_member)()
    cookie = await sync_to_async(_session_cookie_for)(member)
    communicator, _, _ = await _connect(cookie)
    await communicator.receive_json_from(timeout=5)
    await communicator.send_to(text_data="{not json")
    assert (await communicator.receive_json_from(timeout=5))["type"] == "error"
    await communicator.send_to(text_data='{"type": "send"}')
    assert (await communicator.receive_json_from(timeout=5))["code"] == "read_only"
    await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"bytes_data": b"\x00\x01binary"},
        {"text_data": "[" * 1000 + "]" * 1000},
        {"text_data": '{"a":' * 3000 + "1" + "}" * 3000},
        {"text_data": "\x00"},
    ],
)
async def test_it_answers_binary_and_deeply_nested_frames_with_an_error_and_stays_open(frame):
    member = await sync_to_async(make_member)()
    cookie = await sync_to_async(_session_cookie_for)(member)
    communicator, _, _ = await _connect(cookie)
    await communicator.receive_json_from(timeout=5)
    await communicator.send_to(**frame)
    assert (await communicator.receive_json_from(timeout=5))["code"] == "read_only"
    await sync_to_async(actions.notify)(
        recipient=member, kind="reply", text="Still listening", url="/forum/", actor=None
    )
    assert (await communicator.receive_json_from(timeout=5))["type"] == "notification"
    await communicator.disconnect()


async def test_it_closes_the_socket_when_the_member_signs_out():
    member = await sync_to_async(make_member)()
    client = Client()
    await sync_to_async(client.force_login)(member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    communicator, _, _ = await _connect(cookie)
    await communicator.receive_json_from(timeout=5)

    await sync_to_async(client.post)("/accounts/logout/")
    event = await communicator.receive_json_from(timeout=5)
    assert event["code"] == "signed_out"
    output = await communicator.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4001}
    await communicator.disconnect()


async def test_it_closes_the_sockets_of_a_suspended_member():
    member = await sync_to_async(make_member)()
    moderator = await sync_to_async(make_moderator)()
    cookie = await sync_to_async(_session_cookie_for)(member)
    first, _, _ = await _connect(cookie)
    second, _, _ = await _connect(cookie)
    await first.receive_json_from(timeout=5)
    await second.receive_json_from(timeout=5)

    await sync_to_async(actions.suspend_member)(
        member=member,
        moderator=moderator,
        until=timezone.now() + timedelta(days=1),
        reason="spam",
    )
    for communicator in (first, second):
        event = await communicator.receive_json_from(timeout=5)
        assert event["code"] == "signed_out"
        assert (await communicator.receive_output(timeout=5))["code"] == 4001
        await communicator.disconnect()
    await asyncio.sleep(0)


async def test_the_sockets_a_test_opens_are_recorded_for_closing(request):
    # The root conftest closes them when the test ends, also when it fails.
    assert "_sockets_closed_after_each_test" in request.fixturenames
    communicator, connected, _ = await _connect()
    assert connected
    assert communicator in OPENED
