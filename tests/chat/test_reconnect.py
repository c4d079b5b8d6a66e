"""A client that comes back asks for everything after its last id and misses nothing."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from community.chat import actions
from community.chat.consumers import ChatConsumer
from tests.chat.factories import make_room
from tests.chat.helpers import communicator, frames_through, open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def _bodies(frames: list[dict]) -> list[str]:
    return [f["message"]["body"] for f in frames if f["type"] == "message"]


async def test_it_delivers_every_missed_message_exactly_once_in_order(member, other_member):
    room = await sync_to_async(make_room)()
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    for n in range(3):
        await sam.send_json_to({"type": "send", "body": f"before {n}"})
    seen = [(await receive_until(maya, "message"))["message"] for _ in range(3)]
    last_id = seen[-1]["id"]
    await maya.disconnect()

    for n in range(5):
        await sam.send_json_to({"type": "send", "body": f"while away {n}", "ref": f"w{n}"})
    for _ in range(5):  # each send saved (its ack), whatever else arrives meanwhile
        await receive_until(sam, "ack", timeout=10)

    maya, _ = await open_socket(room, member)
    await maya.send_json_to({"type": "since", "after": last_id})
    frames = await frames_through(maya, "synced")
    assert _bodies(frames) == [f"while away {n}" for n in range(5)]
    ids = [f["message"]["id"] for f in frames if f["type"] == "message"]
    assert ids == sorted(ids)
    assert frames[-1] == {"type": "synced", "last_id": ids[-1], "more": False}
    await maya.disconnect()
    await sam.disconnect()


async def test_messages_arriving_during_the_catch_up_are_neither_lost_nor_doubled(
    member, other_member, monkeypatch
):
    room = await sync_to_async(make_room)()
    first = await sync_to_async(actions.send_message)(room=room, author=other_member, body="old")
    original = ChatConsumer.__dict__["_missed"]
    sent_during_replay = []

    async def racing_missed(self, after_id, upto_id, limit):
        # A new message is saved and broadcast while this socket is catching up...
        if not sent_during_replay:
            message = await sync_to_async(actions.send_message)(
                room=room, author=other_member, body="during"
            )
            sent_during_replay.append(message.pk)
            # ...and reaches this socket (held back while replaying) before the query runs.
            async with asyncio.timeout(5):
                while not self._pending:
                    await asyncio.sleep(0)
        return await original.__get__(self, ChatConsumer)(after_id, upto_id, limit)

    monkeypatch.setattr(ChatConsumer, "_missed", racing_missed)
    maya, _ = await open_socket(room, member)
    await maya.send_json_to({"type": "since", "after": 0})
    frames = await frames_through(maya, "synced")
    assert _bodies(frames) == ["old", "during"]
    assert [f["message"]["id"] for f in frames if f["type"] == "message"] == [
        first.pk,
        sent_during_replay[0],
    ]
    await maya.disconnect()


def _bulk_messages(room, author, count: int) -> list[int]:
    from community.chat.models import ChatMessage

    made = ChatMessage.objects.bulk_create(
        [ChatMessage(room=room, author=author, body=f"m{n}") for n in range(count)]
    )
    return [m.pk for m in made]


async def test_a_catch_up_is_capped_and_says_that_more_remain(member, monkeypatch):
    from community.chat import consumers

    monkeypatch.setattr(consumers, "SINCE_MAX", 5)
    room = await sync_to_async(make_room)()
    ids = await sync_to_async(_bulk_messages)(room, member, 12)
    visitor, _ = await open_socket(room)
    await visitor.send_json_to({"type": "since", "after": 0})
    frames = await frames_through(visitor, "synced")
    replayed = [f["message"]["id"] for f in frames if f["type"] == "message"]
    # The newest ones, in order; the client pages back through the gap with history.
    assert replayed == ids[-5:]
    assert frames[-1] == {"type": "synced", "last_id": ids[-1], "more": True}
    await visitor.send_json_to({"type": "history", "before": replayed[0], "limit": 100})
    history = await receive_until(visitor, "history")
    assert [m["id"] for m in history["messages"]] == ids[:-5]
    await visitor.disconnect()


async def test_an_anonymous_catch_up_from_zero_sends_at_most_five_hundred(member):
    from community.chat.consumers import SINCE_MAX

    assert SINCE_MAX == 500
    room = await sync_to_async(make_room)()
    ids = await sync_to_async(_bulk_messages)(room, member, 894)
    visitor, _ = await open_socket(room)
    await visitor.send_json_to({"type": "since", "after": 0})
    frames = await frames_through(visitor, "synced")
    assert len([f for f in frames if f["type"] == "message"]) == 500
    assert frames[-1] == {"type": "synced", "last_id": ids[-1], "more": True}
    await visitor.disconnect()


async def test_a_since_after_live_frames_does_not_resend_them(member, other_member):
    room = await sync_to_async(make_room)()
    first = await sync_to_async(actions.send_message)(room=room, author=member, body="before")
    maya, ready = await open_socket(room, member)
    assert ready["last_id"] == first.pk
    sam, _ = await open_socket(room, other_member)
    await sam.send_json_to({"type": "send", "body": "live one", "ref": "a"})
    await sam.send_json_to({"type": "send", "body": "live two", "ref": "b"})
    assert (await receive_until(maya, "message"))["message"]["body"] == "live one"
    assert (await receive_until(maya, "message"))["message"]["body"] == "live two"
    # The client asks late (its socket opened before the page knew of "before").
    await maya.send_json_to({"type": "since", "after": 0})
    frames = await frames_through(maya, "synced")
    assert _bodies(frames) == ["before"]
    assert frames[-1]["type"] == "synced" and frames[-1]["more"] is False
    await maya.disconnect()
    await sam.disconnect()


async def test_since_is_rate_limited_per_socket(member):
    from community.chat.consumers import SINCE_PER_MINUTE

    room = await sync_to_async(make_room)()
    visitor, _ = await open_socket(room)
    for n in range(SINCE_PER_MINUTE):
        await visitor.send_json_to({"type": "since", "after": 0, "ref": f"s{n}"})
        await receive_until(visitor, "synced")
    await visitor.send_json_to({"type": "since", "after": 0, "ref": "over"})
    error = await receive_until(visitor, "error")
    assert error["code"] == "rate_limited" and error["ref"] == "over"
    assert error["retry_after"] >= 1
    await visitor.disconnect()


async def test_since_is_rate_limited_per_network(member, monkeypatch):
    from community.chat import consumers

    monkeypatch.setattr(consumers, "SINCE_PER_NETWORK_PER_MINUTE", 3)
    room = await sync_to_async(make_room)()
    sockets = []
    for n in range(4):
        comm = communicator(room)
        comm.scope["client"] = (f"203.0.113.{n + 10}", 40000 + n)  # one /24 network
        assert (await comm.connect())[0]
        await receive_until(comm, "ready")
        sockets.append(comm)
    for comm in sockets[:3]:
        await comm.send_json_to({"type": "since", "after": 0})
        await receive_until(comm, "synced")
    await sockets[3].send_json_to({"type": "since", "after": 0})
    assert (await receive_until(sockets[3], "error"))["code"] == "rate_limited"
    other = communicator(room)
    other.scope["client"] = ("198.51.100.7", 40100)  # another network is not affected
    assert (await other.connect())[0]
    await receive_until(other, "ready")
    await other.send_json_to({"type": "since", "after": 0})
    await receive_until(other, "synced")
    for comm in [*sockets, other]:
        await comm.disconnect()
