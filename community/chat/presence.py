"""Who is in a room, kept in the cache so every server process sees the same list.

Each open socket counts towards its member's presence; the socket pings every 45
seconds and a member whose sockets stopped pinging drops out after PRESENCE_TTL even
if their server process died without saying goodbye.
"""

from __future__ import annotations

import time

from django.core.cache import cache

PING_SECONDS = 45
PRESENCE_TTL = 100
ROSTER_TTL = 24 * 60 * 60
# Typing indicators are not relayed in rooms with more people present than this.
TYPING_MAX_PRESENT = 100


def _seen_key(room_id: int, member_id: int) -> str:
    return f"chat:seen:{room_id}:{member_id}"


def _sockets_key(room_id: int, member_id: int) -> str:
    return f"chat:sockets:{room_id}:{member_id}"


def _roster_key(room_id: int) -> str:
    return f"chat:roster:{room_id}"


def _count_key(room_id: int) -> str:
    return f"chat:present:{room_id}"


def _roster(room_id: int) -> dict[int, str]:
    return cache.get(_roster_key(room_id)) or {}


def _add_to_roster(room_id: int, member_id: int, name: str) -> None:
    roster = _roster(room_id)
    if roster.get(member_id) != name:
        roster[member_id] = name
        cache.set(_roster_key(room_id), roster, ROSTER_TTL)


def join(room_id: int, member_id: int, name: str) -> bool:
    """A socket of the member opened; True when the member was not present before."""
    was_present = cache.get(_seen_key(room_id, member_id)) is not None
    key = _sockets_key(room_id, member_id)
    cache.add(key, 0, PRESENCE_TTL)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, PRESENCE_TTL)
    cache.set(_seen_key(room_id, member_id), time.time(), PRESENCE_TTL)
    _add_to_roster(room_id, member_id, name)
    return not was_present


def ping(room_id: int, member_id: int, name: str) -> None:
    cache.set(_seen_key(room_id, member_id), time.time(), PRESENCE_TTL)
    cache.touch(_sockets_key(room_id, member_id), PRESENCE_TTL)
    _add_to_roster(room_id, member_id, name)


def leave(room_id: int, member_id: int) -> bool:
    """A socket closed; True when it was the member's last one in the room."""
    try:
        remaining = cache.decr(_sockets_key(room_id, member_id))
    except ValueError:
        remaining = 0
    if remaining > 0:
        return False
    cache.delete_many([_sockets_key(room_id, member_id), _seen_key(room_id, member_id)])
    roster = _roster(room_id)
    if roster.pop(member_id, None) is not None:
        cache.set(_roster_key(room_id), roster, ROSTER_TTL)
    return True


def present(room_id: int) -> list[dict]:
    """Members present now, by name; stale entries are pruned as a side effect."""
    roster = _roster(room_id)
    if not roster:
        cache.set(_count_key(room_id), 0, PRESENCE_TTL)
        return []
    seen = cache.get_many([_seen_key(room_id, member_id) for member_id in roster])
    alive = {
        member_id: name
        for member_id, name in roster.items()
        if _seen_key(room_id, member_id) in seen
    }
    if len(alive) != len(roster):
        cache.set(_roster_key(room_id), alive, ROSTER_TTL)
    cache.set(_count_key(room_id), len(alive), PRESENCE_TTL)
    return sorted(
        ({"id": member_id, "name": name} for member_id, name in alive.items()),
        key=lambda person: person["name"].lower(),
    )


def count(room_id: int) -> int:
    cached = cache.get(_count_key(room_id))
    if cached is None:
        return len(present(room_id))
    return cached
