"""Nothing is sent on a socket after its close.

When the channel layer is lost (hearth.layers), every socket of the process is closed
from a task of its own, while the socket may be in the middle of answering a frame. The
answer then came after the close, and uvicorn raises for that ("Unexpected ASGI message
'websocket.send', after sending 'websocket.close'"): with 10,000 sockets closed at once
the log filled with hundreds of tracebacks and an "internal error" per socket. A closing
socket has nobody to answer: its client reconnects and catches up.
"""

from __future__ import annotations

import logging
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from community.chat import fanout, presence
from community.chat.models import room_group
from tests.chat.factories import make_room
from tests.chat.helpers import chat_app, receive_until, wait_until
from tests.sockets import recorded

pytestmark = pytest.mark.django_db(transaction=True)


class _Server:
    """The chat app behind a server that, like uvicorn, refuses anything sent after
    the application sent "websocket.close"."""

    def __init__(self) -> None:
        self.closed_with: int | None = None
        self.after_close: list[dict] = []
        self.finished = False

    async def __call__(self, scope, receive, send) -> None:
        async def server_send(message):
            if self.closed_with is not None:
                self.after_close.append(message)
                raise RuntimeError(
                    f"Unexpected ASGI message '{message['type']}', after sending 'websocket.close'."
                )
            if message["type"] == "websocket.close":
                self.closed_with = message.get("code", 1000)
            await send(message)

        try:
            await chat_app(scope, receive, server_send)
        finally:
            self.finished = True


async def _open_behind_server(member):
    """A member's chat socket behind a _Server, open and ready."""
    room = await sync_to_async(make_room)()
    server = _Server()
    comm = recorded(WebsocketCommunicator(server, f"/ws/chat/{room.slug}/"))
    comm.scope["user"] = member
    connected, _ = await comm.connect()
    assert connected
    await receive_until(comm, "ready")
    return room, server, comm


async def test_a_socket_closed_while_answering_a_ping_sends_nothing_after(
    member, caplog, monkeypatch
):
    room, server, comm = await _open_behind_server(member)
    (socket,) = fanout.get_hub().rooms[room_group(room.pk)].subscribers

    # The answer to a ping waits for the presence list; meanwhile the layer is lost.
    reading, release = threading.Event(), threading.Event()
    present = presence.present

    def slow_present(room_id):
        reading.set()
        release.wait(10)
        return present(room_id)

    monkeypatch.setattr(presence, "present", slow_present)
    with caplog.at_level(logging.WARNING):
        await comm.send_json_to({"type": "ping"})
        await wait_until(reading.is_set, what="the ping's answer to be under way")
        socket.layer_lost()
        await wait_until(lambda: server.closed_with is not None, what="the socket to close")
        release.set()
        # The server's side of the close; the socket handles it after the ping.
        await comm.send_input({"type": "websocket.disconnect", "code": 4503})
        await wait_until(lambda: server.finished, what="the socket to end")

    assert server.closed_with == 4503
    assert server.after_close == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_an_open_socket_is_counted_until_it_closes(member):
    from hearth import heap

    room = await sync_to_async(make_room)()
    before = heap.open_sockets()
    comm = recorded(WebsocketCommunicator(chat_app, f"/ws/chat/{room.slug}/"))
    comm.scope["user"] = member
    connected, _ = await comm.connect()
    assert connected
    await receive_until(comm, "ready")
    assert heap.open_sockets() == before + 1
    await comm.disconnect()
    assert heap.open_sockets() == before


async def test_a_socket_the_server_closed_itself_answers_nothing_and_logs_nothing(
    member, caplog, monkeypatch
):
    """uvicorn closes a socket on its own when its keepalive ping goes unanswered (a
    process at 100 % of a core, 10,000 sockets): 966 pings answered after that logged a
    traceback each in the idle bench."""
    room, server, comm = await _open_behind_server(member)
    with caplog.at_level(logging.WARNING):
        server.closed_with = 1011  # the server's own close: the application sent none
        await comm.send_json_to({"type": "ping"})
        await comm.send_input({"type": "websocket.disconnect", "code": 1011})
        await wait_until(lambda: server.finished, what="the socket to end")
    # The ping's answer was refused and dropped (so may be the batch announcing her own
    # arrival, when it reaches the socket only now, as it may through Redis).
    assert {m["type"] for m in server.after_close} == {"websocket.send"}
    assert any('"members"' in m.get("text", "") for m in server.after_close)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
