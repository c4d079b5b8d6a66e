"""A client that comes back asks for everything after its last id and misses nothing."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from community.chat import actions
from community.chat.consumers import ChatConsumer
from tests.chat.factories import make_room
from tests.chat.helpers import frames_until_quiet, open_socket, receive_until

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
        await sam.send_json_to({"type": "send", "body": f"while away {n}"})
    await frames_until_quiet(sam)

    maya, _ = await open_socket(room, member)
    await maya.send_json_to({"type": "since", "after": last_id})
    frames = await frames_until_quiet(maya)
    assert _bodies(frames) == [f"while away {n}" for n in range(5)]
    ids = [f["message"]["id"] for f in frames if f["type"] == "message"]
    assert ids == sorted(ids)
    assert frames[-1] == {"type": "synced", "last_id": ids[-1]}
    await maya.disconnect()
    await sam.disconnect()


async def test_messages_arriving_during_the_catch_up_are_neither_lost_nor_doubled(
    member, other_member, monkeypatch
):
    room = await sync_to_async(make_room)()
    first = await sync_to_async(actions.send_message)(room=room, author=other_member, body="old")
    original = ChatConsumer.__dict__["_after"]
    sent_during_replay = []

    async def racing_after(self, after_id, limit):
        # A new message is saved and broadcast while this socket is catching up...
        if not sent_during_replay:
            message = await sync_to_async(actions.send_message)(
                room=room, author=other_member, body="during"
            )
            sent_during_replay.append(message.pk)
            await asyncio.sleep(0.1)  # ...and reaches the hub before the query runs.
        return await original.__get__(self, ChatConsumer)(after_id, limit)

    monkeypatch.setattr(ChatConsumer, "_after", racing_after)
    maya, _ = await open_socket(room, member)
    await maya.send_json_to({"type": "since", "after": 0})
    frames = await frames_until_quiet(maya)
    assert _bodies(frames) == ["old", "during"]
    assert [f["message"]["id"] for f in frames if f["type"] == "message"] == [
        first.pk,
        sent_during_replay[0],
    ]
    await maya.disconnect()


async def test_a_catch_up_longer_than_one_batch_is_complete(member, monkeypatch):
    from community.chat import consumers

    monkeypatch.setattr(consumers, "REPLAY_BATCH", 3)
    room = await sync_to_async(make_room)()
    for n in range(8):
        await sync_to_async(actions.send_message)(room=room, author=member, body=f"m{n}")
    maya, _ = await open_socket(room, member)
    await maya.send_json_to({"type": "since", "after": 0})
    assert _bodies(await frames_until_quiet(maya)) == [f"m{n}" for n in range(8)]
    await maya.disconnect()
