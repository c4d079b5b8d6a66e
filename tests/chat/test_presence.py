"""Presence lives in the cache (shared by every server process) and expires."""

from __future__ import annotations

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


def test_pings_in_a_room_within_a_second_read_who_is_present_once(monkeypatch):
    """10,000 idle sockets ping 222 times a second; each answer read the room's roster
    and every listed member's seen mark from the cache (bench/chat_fanout, idle)."""
    presence.join(3, 10, "Maya")
    presence.join(3, 11, "Sam")
    reads = []
    present = presence.present
    monkeypatch.setattr(
        presence, "present", lambda room_id: reads.append(room_id) or present(room_id)
    )
    answers = [presence.answer_ping(3, 10, "Maya") for _ in range(5)]
    answers.append(presence.answer_ping(3, None, ""))  # a visitor's ping
    assert reads == [3]
    assert all(
        answer == [{"id": 10, "name": "Maya"}, {"id": 11, "name": "Sam"}] for answer in answers
    )

    monkeypatch.setattr(presence, "LISTED_KEEP_SECONDS", 0.0)  # a second later
    presence.answer_ping(3, 10, "Maya")
    assert reads == [3, 3]


def test_an_arrival_or_departure_on_this_process_is_in_the_next_pings_answer():
    presence.join(4, 10, "Maya")
    assert presence.answer_ping(4, 10, "Maya") == [{"id": 10, "name": "Maya"}]
    presence.join(4, 11, "Sam")
    assert [p["id"] for p in presence.answer_ping(4, 10, "Maya")] == [10, 11]
    presence.leave(4, 11)
    assert [p["id"] for p in presence.answer_ping(4, 10, "Maya")] == [10]


def test_a_ping_keeps_a_member_present_and_counted():
    presence.join(5, 10, "Maya")
    cache.delete(presence._seen_key(5, 10))
    presence.ping(5, 10, "Maya")
    assert presence.present(5) == [{"id": 10, "name": "Maya"}]
    assert presence.leave(5, 10) is True  # the ping kept the socket count too
    assert presence.present(5) == []
