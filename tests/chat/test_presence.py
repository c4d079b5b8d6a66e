"""Presence lives in the cache (shared by every server process) and expires."""

from __future__ import annotations

import asyncio
import json
import threading

from asgiref.sync import sync_to_async
from django.core.cache import cache

from community.chat import presence


def test_a_member_is_present_while_any_of_their_sockets_is_open():
    assert presence.join(1, 10, "Maya") is True
    assert presence.join(1, 10, "Maya") is False  # a second tab
    assert presence.join(1, 11, "Sam") is True
    assert presence.present(1) == [{"id": 10, "name": "Maya"}, {"id": 11, "name": "Sam"}]
    assert presence.leave(1, 10) is False  # one tab still open
    assert presence.count(1) == 2
    assert presence.leave(1, 10) is True
    assert presence.present(1) == [{"id": 11, "name": "Sam"}]
    assert presence.count(1) == 1


def test_a_member_who_stops_pinging_drops_out():
    presence.join(2, 10, "Maya")
    presence.join(2, 11, "Sam")
    # Sam's process died without a goodbye: his entry simply expires (TTL).
    cache.delete(presence._seen_key(2, 11))
    assert presence.present(2) == [{"id": 10, "name": "Maya"}]
    assert presence.count(2) == 1
    presence.ping(2, 11, "Sam")  # he is back
    assert presence.count(2) == 1 and len(presence.present(2)) == 2


def test_presence_expires_between_thirty_and_sixty_second_pings():
    assert 30 <= presence.PING_SECONDS <= 60
    assert presence.PRESENCE_TTL > presence.PING_SECONDS


def _listed(text: str) -> list[int]:
    frame = json.loads(text)
    assert frame["type"] == "presence"
    return [person["id"] for person in frame["members"]]


async def test_pings_in_a_room_within_a_second_read_who_is_present_once(monkeypatch):
    """10,000 idle sockets ping 222 times a second; each answer read the room's roster
    and every listed member's seen mark from the cache (bench/chat_fanout, idle)."""
    await sync_to_async(presence.join)(3, 10, "Maya")
    await sync_to_async(presence.join)(3, 11, "Sam")
    reads = []
    present = presence.present
    monkeypatch.setattr(
        presence, "present", lambda room_id: reads.append(room_id) or present(room_id)
    )
    at_once = [presence.pings.answer(3, 10, "Maya") for _ in range(5)]
    at_once.append(presence.pings.answer(3, None, ""))  # a visitor's ping
    answers = await asyncio.gather(*at_once)
    answers.append(await presence.pings.answer(3, 11, "Sam"))
    assert reads == [3]
    assert all(_listed(answer) == [10, 11] for answer in answers)

    monkeypatch.setattr(presence, "LISTED_KEEP_SECONDS", 0.0)  # a second later
    await presence.pings.answer(3, 10, "Maya")
    assert reads == [3, 3]


async def test_the_marks_of_many_pings_are_written_together(monkeypatch):
    for member_id in (10, 11, 12):
        await sync_to_async(presence.join)(6, member_id, f"M{member_id}")
    for member_id in (10, 11, 12):  # their marks expired (a long pause)
        cache.delete(presence._seen_key(6, member_id))
    writes = []
    ping_many = presence.ping_many
    monkeypatch.setattr(
        presence, "ping_many", lambda marks: writes.append(dict(marks)) or ping_many(marks)
    )
    for member_id in (10, 11, 12, 10):
        await presence.pings.answer(6, member_id, f"M{member_id}")
    assert writes == []  # not one round trip per ping
    await presence.pings.flush()
    assert writes == [{(6, 10): "M10", (6, 11): "M11", (6, 12): "M12"}]
    assert [p["id"] for p in presence.present(6)] == [10, 11, 12]


async def test_marks_are_written_within_a_second_without_another_ping(monkeypatch):
    monkeypatch.setattr(presence, "PING_FLUSH_SECONDS", 0.01)
    await sync_to_async(presence.join)(7, 10, "Maya")
    cache.delete(presence._seen_key(7, 10))
    await presence.pings.answer(7, 10, "Maya")
    async with asyncio.timeout(10):
        while cache.get(presence._seen_key(7, 10)) is None:
            await asyncio.sleep(0.01)


async def test_a_mark_that_comes_while_others_are_written_is_written_too(monkeypatch):
    monkeypatch.setattr(presence, "PING_FLUSH_SECONDS", 0.01)
    writing, go_on = threading.Event(), threading.Event()
    ping_many = presence.ping_many

    def slow(marks):
        writing.set()
        go_on.wait(10)
        ping_many(marks)

    monkeypatch.setattr(presence, "ping_many", slow)
    await presence.pings.answer(8, 10, "Maya")
    await sync_to_async(writing.wait)(10)
    await presence.pings.answer(8, 11, "Sam")  # while Maya's mark is being written
    go_on.set()
    async with asyncio.timeout(10):
        while cache.get(presence._seen_key(8, 11)) is None:
            await asyncio.sleep(0.01)


async def test_a_mark_waiting_when_the_last_socket_closes_leaves_no_ghost():
    await sync_to_async(presence.join)(9, 10, "Maya")
    await presence.pings.answer(9, 10, "Maya")  # her mark waits for the next write
    await presence.pings.leaving(9, 10)
    assert await sync_to_async(presence.leave)(9, 10) is True
    await presence.pings.flush()
    assert presence.present(9) == []


async def test_an_arrival_or_departure_on_this_process_is_in_the_next_pings_answer():
    await sync_to_async(presence.join)(4, 10, "Maya")
    assert _listed(await presence.pings.answer(4, 10, "Maya")) == [10]
    await sync_to_async(presence.join)(4, 11, "Sam")
    presence.pings.changed(4)
    assert _listed(await presence.pings.answer(4, 10, "Maya")) == [10, 11]
    await presence.pings.leaving(4, 11)
    await sync_to_async(presence.leave)(4, 11)
    presence.pings.changed(4)
    assert _listed(await presence.pings.answer(4, 10, "Maya")) == [10]


async def test_a_list_read_while_someone_arrives_is_not_kept(monkeypatch):
    await sync_to_async(presence.join)(12, 10, "Maya")
    read, go_on = threading.Event(), threading.Event()
    present = presence.present

    def slow_present(room_id):
        people = present(room_id)
        read.set()
        go_on.wait(10)
        return people

    monkeypatch.setattr(presence, "present", slow_present)
    answer = asyncio.ensure_future(presence.pings.answer(12, 10, "Maya"))
    await sync_to_async(read.wait)(10)
    await sync_to_async(presence.join)(12, 11, "Sam")
    presence.pings.changed(12)  # Sam arrived while Maya's list was being read
    go_on.set()
    assert _listed(await answer) == [10]
    assert _listed(await presence.pings.answer(12, 10, "Maya")) == [10, 11]


def test_a_ping_keeps_a_member_present_and_counted():
    presence.join(5, 10, "Maya")
    cache.delete(presence._seen_key(5, 10))
    presence.ping(5, 10, "Maya")
    assert presence.present(5) == [{"id": 10, "name": "Maya"}]
    assert presence.leave(5, 10) is True  # the ping kept the socket count too
    assert presence.present(5) == []
