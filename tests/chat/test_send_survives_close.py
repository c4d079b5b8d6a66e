"""A message the server accepted is announced to the room even when its socket closes
at once, as every socket does when a deploy stops the server.

The server stops once the sockets' applications have returned (uvicorn waits for
them, then ends the event loop). A message saved after that would be in the room's
history but would never reach the members who stay connected to the other server
process: they are caught up, so nothing makes them ask for it. The socket's clean-up
runs after the save on the process's one database thread, so the announcement has gone
out by then; this holds it there.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from community.chat import actions
from community.chat.models import ChatMessage
from tests.chat.factories import make_room
from tests.chat.helpers import open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_send_saved_while_the_socket_closes_is_announced_before_it_ends(
    member, monkeypatch
):
    room = await sync_to_async(make_room)()
    saving = threading.Event()
    announced: list[int] = []
    send_from_sockets, broadcast = actions.send_from_sockets, actions.broadcast_messages

    def slow_save(requests):
        saving.set()
        time.sleep(0.5)  # a busy database: the close arrives while this save runs
        return send_from_sockets(requests)

    def recorded(room, messages):
        announced.extend(m.pk for m in messages)
        broadcast(room, messages)

    monkeypatch.setattr(actions, "send_from_sockets", slow_save)
    monkeypatch.setattr(actions, "broadcast_messages", recorded)
    socket, _ = await open_socket(room, member)
    layer = get_channel_layer()
    group_send = layer.group_send
    sent_to_layer: list[int] = []

    async def recorded_send(group, event):
        for _ in range(100):  # a round trip to Redis: the loop runs other work meanwhile
            await asyncio.sleep(0)
        await group_send(group, event)
        if event.get("id"):
            sent_to_layer.append(event["id"])

    monkeypatch.setattr(layer, "group_send", recorded_send)
    await socket.send_json_to({"type": "send", "body": "Still there?", "ref": "r1"})
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not saving.is_set():  # the save has started on the database thread
        assert loop.time() < deadline, "the send was never saved"
        await asyncio.sleep(0.01)

    # The deploy: the socket closes while the save runs.
    await socket.send_input({"type": "websocket.disconnect", "code": 1012})
    await socket.wait(10)  # the socket's application has returned: the server may stop
    gone_out = list(sent_to_layer)

    saved = await sync_to_async(list)(ChatMessage.objects.values_list("pk", flat=True))
    assert len(saved) == 1
    assert announced == saved
    assert gone_out == saved  # gone to the channel layer, not only handed over
