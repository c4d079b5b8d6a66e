"""A member closing their tab is not an outage.

uvicorn raises ``ClientDisconnected`` (an ``OSError``) when the application sends to a
socket whose client already went away. That must not be taken for Redis going away:
no "channel layer is unavailable" in the log, no circuit breaker opened for everyone
else, and the socket is still cleaned up (its member leaves the room's presence).
"""

from __future__ import annotations

import logging

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from uvicorn.protocols.utils import ClientDisconnected

from community.chat import presence
from hearth import outages
from tests.chat.factories import make_room
from tests.chat.helpers import chat_app, receive_until, wait_until
from tests.sockets import recorded

pytestmark = pytest.mark.django_db(transaction=True)


class _Tab:
    """The chat app behind a server that, like uvicorn, raises ClientDisconnected on a
    send once the browser tab is closed."""

    def __init__(self) -> None:
        self.closed = False
        self.finished = False

    async def __call__(self, scope, receive, send) -> None:
        async def server_send(message):
            if self.closed and message["type"] == "websocket.send":
                raise ClientDisconnected()
            await send(message)

        try:
            await chat_app(scope, receive, server_send)
        finally:
            self.finished = True


async def test_a_client_that_went_away_is_not_a_channel_layer_outage(member, caplog):
    room = await sync_to_async(make_room)()
    tab = _Tab()
    comm = recorded(WebsocketCommunicator(tab, f"/ws/chat/{room.slug}/"))
    comm.scope["user"] = member
    connected, _ = await comm.connect()
    assert connected
    await receive_until(comm, "ready")
    present = sync_to_async(presence.present, thread_sensitive=False)
    assert [p["id"] for p in await present(room.pk)] == [member.pk]

    with caplog.at_level(logging.WARNING):
        tab.closed = True
        # The answer to this ping finds the tab gone.
        await comm.send_json_to({"type": "ping"})
        await wait_until(lambda: tab.finished, what="the socket to end")

    assert not outages.is_down(outages.CHANNEL_LAYER)
    assert outages.worth_trying(outages.CHANNEL_LAYER)
    assert [r.getMessage() for r in caplog.records if r.name == "hearth.outages"] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    # The socket was still cleaned up: Maya is no longer shown in the room.
    assert await present(room.pk) == []


def test_only_connection_errors_of_services_count_as_outages():
    from redis.exceptions import ConnectionError as RedisConnectionError

    assert outages.is_outage(RedisConnectionError("Connection refused"))
    assert outages.is_outage(ConnectionRefusedError())
    assert outages.is_outage(TimeoutError())
    assert not outages.is_outage(ClientDisconnected())
    assert not outages.is_outage(ValueError("a bug"))
