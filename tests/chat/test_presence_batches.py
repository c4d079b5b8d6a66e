"""Arrivals and departures reach the room in batches: a crowd joining does not cost one
frame per arrival for everyone present, and who is here stays right."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from community.chat import consumers, presence
from tests.chat.factories import make_room
from tests.chat.helpers import open_socket, receive_until
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(db):
    return make_room()


@pytest.fixture
def slow_batches(monkeypatch):
    """A batch window far longer than the test: only an explicit flush announces."""
    monkeypatch.setattr(presence, "BATCH_SECONDS", 600.0)


async def _presence_until(comm, done) -> list[dict]:
    """The presence frames ``comm`` receives, up to and including the first that ``done``
    accepts (the state the test waits for, however long the channel layer takes)."""
    frames = []
    while True:
        frames.append(await receive_until(comm, "presence"))
        if done(frames[-1]):
            return frames


async def _maya_and_sam(room, member, other_member):
    """Both in the room, every arrival announced and received."""
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    await consumers.batches.flush(room.pk)
    await _presence_until(maya, lambda frame: frame["count"] == 2)
    return maya, sam


async def _members(*names: str):
    return [await sync_to_async(make_member)(username=n.lower(), display_name=n) for n in names]


async def test_a_single_arrival_also_carries_the_fields_older_clients_read(
    room, member, other_member
):
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    # Maya may first hear of her own arrival; Sam's is the frame with both of them.
    frame = (await _presence_until(maya, lambda frame: frame["count"] == 2))[-1]
    sam_payload = {"id": other_member.pk, "name": "Sam"}
    assert frame == {
        "type": "presence",
        "count": 2,
        "joins": [sam_payload],
        "leaves": [],
        "joined": sam_payload,  # what clients older than batches read
    }
    await maya.disconnect()
    await sam.disconnect()


async def test_arrivals_within_the_window_reach_others_in_one_frame(
    room, member, other_member, slow_batches
):
    maya, sam = await _maya_and_sam(room, member, other_member)
    crowd = await _members("Alex", "Ben", "Cara", "Dina")
    sockets = [(await open_socket(room, person))[0] for person in crowd]

    await consumers.batches.flush(room.pk)
    # Held for the batch: the first frame Maya gets after the flush names all four.
    frames = await _presence_until(maya, lambda frame: frame["count"] == 6)
    assert len(frames) == 1
    assert frames[0]["count"] == 6
    assert frames[0]["joins"] == [{"id": p.pk, "name": p.name} for p in crowd]
    assert frames[0]["leaves"] == [] and "joined" not in frames[0]
    for socket in [maya, sam, *sockets]:
        await socket.disconnect()


async def test_a_member_who_leaves_disappears_for_the_others(
    room, member, other_member, slow_batches
):
    maya, sam = await _maya_and_sam(room, member, other_member)
    await sam.disconnect()
    await consumers.batches.flush(room.pk)
    frame = await receive_until(maya, "presence")
    assert frame["leaves"] == [{"id": other_member.pk, "name": "Sam"}]
    assert frame["count"] == 1
    await maya.send_json_to({"type": "ping"})
    answer = await receive_until(maya, "presence")
    assert answer["members"] == [{"id": member.pk, "name": "Maya"}]
    await maya.disconnect()


async def test_within_one_batch_the_last_change_of_a_member_wins(
    room, member, other_member, slow_batches
):
    maya, sam = await _maya_and_sam(room, member, other_member)
    (alex,) = await _members("Alex")
    for _ in range(2):  # Alex comes and goes twice, Sam reloads his page
        visit, _ = await open_socket(room, alex)
        await visit.disconnect()
    await sam.disconnect()
    sam, _ = await open_socket(room, other_member)
    await consumers.batches.flush(room.pk)
    frames = await _presence_until(maya, lambda frame: bool(frame["joins"] or frame["leaves"]))
    assert len(frames) == 1
    assert frames[0]["joins"] == [{"id": other_member.pk, "name": "Sam"}]
    assert frames[0]["leaves"] == [{"id": alex.pk, "name": "Alex"}]
    assert frames[0]["count"] == 2
    await maya.disconnect()
    await sam.disconnect()


async def test_typing_still_reaches_others_while_a_batch_is_pending(
    room, member, other_member, slow_batches
):
    maya, sam = await _maya_and_sam(room, member, other_member)
    (alex,) = await _members("Alex")
    alex_socket, _ = await open_socket(room, alex)  # pending in the batch
    await sam.send_json_to({"type": "typing"})
    frame = await receive_until(maya, "typing")
    assert frame["member"] == {"id": other_member.pk, "name": "Sam"}
    for socket in [maya, sam, alex_socket]:
        await socket.disconnect()


async def test_the_next_change_after_a_batch_waits_for_the_window(monkeypatch):
    sent: list[tuple[list, list]] = []

    async def announce(room_id, joins, leaves):
        sent.append(([p["id"] for p in joins], [p["id"] for p in leaves]))

    monkeypatch.setattr(presence, "BATCH_SECONDS", 600.0)
    batches = presence.Batches(announce)
    batches.changed(1, {"id": 10, "name": "Maya"}, here=True)
    await batches._timers[1]  # a quiet room: announced at once
    assert sent == [([10], [])]
    batches.changed(1, {"id": 11, "name": "Sam"}, here=True)
    batches.changed(1, {"id": 10, "name": "Maya"}, here=False)
    assert sent == [([10], [])]  # within the window: held
    await batches.flush(1)
    assert sent == [([10], []), ([11], [10])]
    await batches.flush(1)  # nothing pending: nothing sent
    assert len(sent) == 2


async def test_a_batch_the_channel_layer_refused_goes_out_with_the_next(monkeypatch):
    sent: list[tuple[list, list]] = []
    refuse = [True]

    async def announce(room_id, joins, leaves):
        if refuse.pop() if refuse else False:
            raise ConnectionError("the channel layer is away")
        sent.append(([p["id"] for p in joins], [p["id"] for p in leaves]))

    monkeypatch.setattr(presence, "BATCH_SECONDS", 600.0)
    batches = presence.Batches(announce)
    batches.changed(1, {"id": 10, "name": "Maya"}, here=True)
    batches.changed(1, {"id": 11, "name": "Sam"}, here=True)
    await batches._timers[1]  # refused: kept, and a retry is scheduled
    assert sent == [] and 1 in batches._timers
    batches.changed(1, {"id": 11, "name": "Sam"}, here=False)  # newer than the kept one
    await batches.flush(1)
    assert sent == [([10], [11])]
