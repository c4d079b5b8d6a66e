"""The room hub: one layer subscription per room per process, one encoded frame."""

from __future__ import annotations

import asyncio
import logging

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from websockets.protocol import State

from community.chat import fanout
from community.chat.fanout import RoomHub
from community.chat.models import room_group
from community.chat.wire import direct_writer, text_frame
from tests.chat.factories import make_room
from tests.chat.helpers import open_socket, receive_until, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_room_costs_one_layer_subscription_however_many_sockets(member, other_member):
    room = await sync_to_async(make_room)()
    layer = get_channel_layer()
    hub = fanout.get_hub(layer)
    sockets = [(await open_socket(room, user))[0] for user in (member, other_member, None, None)]
    group = room_group(room.pk)
    assert list(hub.rooms) == [group] and hub.local_count(group) == 4
    if isinstance(layer, InMemoryChannelLayer):  # the layer's own view of the group
        assert list(layer.groups[group]) == [hub.rooms[group].channel]
    for socket in sockets:
        await socket.disconnect()
    await wait_until(lambda: hub.rooms == {}, what="the hub to leave the room")
    if isinstance(layer, InMemoryChannelLayer):
        assert group not in layer.groups


async def test_a_message_is_one_layer_send_for_the_whole_room(member, other_member, monkeypatch):
    room = await sync_to_async(make_room)()
    layer = get_channel_layer()
    sockets = [(await open_socket(room, user))[0] for user in (member, other_member, None)]
    sent = []
    original = layer.group_send

    async def counting(group, message):
        sent.append((group, message))
        await original(group, message)

    monkeypatch.setattr(layer, "group_send", counting)
    await sockets[0].send_json_to({"type": "send", "body": "one frame"})
    for socket in sockets:
        await receive_until(socket, "message")
    assert len(sent) == 1
    group, event = sent[0]
    assert group == room_group(room.pk)
    assert event["type"] == "chat.frame" and isinstance(event["frame"], str)
    assert '"body":"one frame"' in event["frame"]
    for socket in sockets:
        await socket.disconnect()


class FakeSubscriber:
    def __init__(self, *, blocks: bool = False) -> None:
        self.blocks = blocks
        self.frames: list[str] = []
        self.dropped = False

    def write_now(self, texts, datas, wire, message_ids) -> bool:
        return False  # always take the ASGI path

    async def deliver(self, message, message_id) -> None:
        if self.blocks:
            await asyncio.Event().wait()  # a client that stopped reading
        self.frames.append(message["text"])

    async def drop_slow(self) -> None:
        self.dropped = True


async def test_a_slow_socket_is_dropped_without_holding_up_the_room(monkeypatch):
    monkeypatch.setattr(fanout, "SLOW_SOCKET_SECONDS", 0.1)
    layer = get_channel_layer()
    hub = RoomHub(layer)
    fast_before, slow, fast_after = FakeSubscriber(), FakeSubscriber(blocks=True), FakeSubscriber()
    for subscriber in (fast_before, slow, fast_after):
        await hub.subscribe("chat-room-x", subscriber)
    await layer.group_send("chat-room-x", {"type": "chat.frame", "frame": "hello", "id": 1})
    await wait_until(lambda: slow.dropped and fast_after.frames == ["hello"])
    assert fast_before.frames == ["hello"] and fast_after.frames == ["hello"]
    assert hub.local_count("chat-room-x") == 2
    await layer.group_send("chat-room-x", {"type": "chat.frame", "frame": "again", "id": 2})
    await wait_until(lambda: fast_after.frames == ["hello", "again"])
    for subscriber in (fast_before, fast_after):
        await hub.unsubscribe("chat-room-x", subscriber)
    assert hub.rooms == {}


class DirectSubscriber(FakeSubscriber):
    """A socket whose transport takes the frames at once (uvicorn's direct path)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []

    def write_now(self, texts, datas, wire, message_ids) -> bool:
        self.writes.append(wire)
        self.frames.extend(texts)
        return True


async def test_messages_saved_together_reach_a_socket_in_one_write():
    layer = get_channel_layer()
    hub = RoomHub(layer)
    direct, plain = DirectSubscriber(), FakeSubscriber()
    for subscriber in (direct, plain):
        await hub.subscribe("chat-room-z", subscriber)
    frames = [["first", 1], ["second", 2], ["third", 3]]
    await layer.group_send("chat-room-z", {"type": "chat.frame", "frames": frames})
    await wait_until(lambda: len(plain.frames) == 3)
    assert direct.frames == plain.frames == ["first", "second", "third"]
    assert direct.writes == [text_frame(b"first") + text_frame(b"second") + text_frame(b"third")]
    for subscriber in (direct, plain):
        await hub.unsubscribe("chat-room-z", subscriber)


async def test_the_hub_ignores_other_events_on_its_channel():
    layer = get_channel_layer()
    hub = RoomHub(layer)
    subscriber = FakeSubscriber()
    await hub.subscribe("chat-room-y", subscriber)
    await layer.group_send("chat-room-y", {"type": "something.else"})
    await layer.group_send("chat-room-y", {"type": "chat.frame", "frame": "ok", "id": None})
    # Frames arrive in order: once "ok" is there, the other event was seen and skipped.
    await wait_until(lambda: subscriber.frames != [])
    assert subscriber.frames == ["ok"]
    await hub.unsubscribe("chat-room-y", subscriber)


class _Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return self.closing


class _Conn:
    def __init__(self) -> None:
        self.pending: list[bytes] = []
        self.extensions: list = []
        self.state = State.OPEN
        self.expect_continuation_frame = False

    def send_text(self, data: bytes) -> None:
        self.pending.append(b"compressed:" + data)

    def data_to_send(self) -> list[bytes]:
        out, self.pending = self.pending, []
        return out


class _Protocol:
    def __init__(self) -> None:
        self.conn = _Conn()
        self.transport = _Transport()
        self.writable = asyncio.Event()
        self.writable.set()
        self.close_sent = False
        self.handshake_complete = True

    async def send(self, message) -> None:  # the ASGI send the writer is found through
        raise AssertionError("not used")


def test_a_text_frame_is_framed_per_rfc_6455():
    assert text_frame(b"hi") == b"\x81\x02hi"
    assert text_frame(b"x" * 200)[:4] == b"\x81\x7e\x00\xc8"
    assert text_frame(b"x" * 70000)[:10] == b"\x81\x7f" + (70000).to_bytes(8, "big")


def test_the_frame_matches_what_websockets_itself_would_send():
    from websockets.frames import Frame, Opcode

    payload = "é chat 🎉".encode() * 30
    assert text_frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])


async def test_the_direct_writer_writes_the_shared_frame_or_declines():
    protocol = _Protocol()
    write = direct_writer(protocol.send)
    assert write((b"hi",), b"<frame>") is True
    assert protocol.transport.written == [b"<frame>"]
    assert write((b"one", b"two"), b"<frame one><frame two>") is True  # saved together
    assert protocol.transport.written[-1] == b"<frame one><frame two>"  # one write
    protocol.conn.extensions = ["permessage-deflate"]  # this client negotiated compression
    assert write((b"hi",), b"<frame>") is True
    assert protocol.transport.written[-1] == b"compressed:hi"
    assert write((b"a", b"b"), b"<frames>") is True  # compressed one by one, written at once
    assert protocol.transport.written[-1] == b"compressed:acompressed:b"
    protocol.writable.clear()  # the client is not reading: the buffer is full
    assert write((b"again",), b"<frame>") is False
    protocol.writable.set()
    protocol.conn.state = State.CLOSING
    assert write((b"late",), b"<frame>") is False
    protocol.conn.state = State.OPEN
    protocol.close_sent = True
    assert write((b"late",), b"<frame>") is False
    assert len(protocol.transport.written) == 4


def test_there_is_no_direct_writer_for_other_servers():
    async def plain_send(message):
        return None

    assert direct_writer(plain_send) is None


class _BrokenLayer(InMemoryChannelLayer):
    """A layer whose Redis went away: every receive fails."""

    def __init__(self) -> None:
        super().__init__()
        self.receives = 0

    async def receive(self, channel):
        self.receives += 1
        await asyncio.sleep(0)
        raise ConnectionError("Connection refused")


async def test_the_hub_logs_a_redis_outage_once_not_every_second(monkeypatch, caplog):
    monkeypatch.setattr(fanout, "RETRY_SECONDS", 0.001)
    layer = _BrokenLayer()
    hub = RoomHub(layer)
    with caplog.at_level(logging.WARNING):
        await hub.subscribe("chat-room-z", FakeSubscriber())
        await wait_until(lambda: layer.receives >= 20, what="twenty failed receives")
        await hub.unsubscribe("chat-room-z", next(iter(hub.rooms["chat-room-z"].subscribers)))
    assert [r.getMessage()[:33] for r in caplog.records] == ["channel layer is unavailable (Con"]
    assert all(r.exc_info is None for r in caplog.records)


class _ForgetfulLayer(InMemoryChannelLayer):
    """Stands for hearth.layers.RedisChannelLayer: tells listeners when Redis restarted."""

    def __init__(self) -> None:
        super().__init__()
        self.listeners = []

    async def watch(self, listener) -> None:
        self.listeners.append(listener)

    def restarted(self) -> None:
        for listener in self.listeners:
            listener.layer_lost()
        self.listeners.clear()


async def test_after_a_redis_restart_the_hub_joins_the_room_afresh():
    layer = _ForgetfulLayer()
    hub = RoomHub(layer)
    before = FakeSubscriber()
    await hub.subscribe("chat-room-r", before)
    first_channel = hub.rooms["chat-room-r"].channel
    layer.restarted()  # Redis came back empty: the membership is gone
    layer.groups.clear()
    assert hub.rooms == {}
    after = FakeSubscriber()
    await hub.subscribe("chat-room-r", after)  # a reconnecting socket
    assert hub.rooms["chat-room-r"].channel != first_channel
    assert list(layer.groups["chat-room-r"]) == [hub.rooms["chat-room-r"].channel]
    await layer.group_send("chat-room-r", {"type": "chat.frame", "frame": "back", "id": 3})
    await wait_until(lambda: after.frames == ["back"])
    assert before.frames == []
    await hub.unsubscribe("chat-room-r", after)
