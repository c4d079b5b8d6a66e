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
