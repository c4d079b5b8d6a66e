"""Who is in a room, kept in the cache so every server process sees the same list.

Each open socket counts towards its member's presence; the socket pings every 45
seconds and a member whose sockets stopped pinging drops out after PRESENCE_TTL even
if their server process died without saying goodbye.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable

from asgiref.sync import sync_to_async
from django.core.cache import cache

from community.chat.protocol import encode
from hearth import outages

logger = logging.getLogger(__name__)

PING_SECONDS = 45
PRESENCE_TTL = 100
ROSTER_TTL = 24 * 60 * 60
# Typing indicators are not relayed in rooms with more people present than this.
TYPING_MAX_PRESENT = 100
# The ``ready`` frame and the answer to a ping list at most this many of the members
# present (by name), with the true count and ``partial``: a 10,000-member room does not
# send 10,000 names to every arrival and every ping. A batch lists at most this many
# arrivals too (its count stays exact).
LIST_MAX = 50
# Arrivals and departures in a room are announced at most once per this many seconds
# per server process: the first change goes out at once, later ones in one frame.
BATCH_SECONDS = 1.0


def _seen_key(room_id: int, member_id: int) -> str:
    return f"chat:seen:{room_id}:{member_id}"


def _sockets_key(room_id: int, member_id: int) -> str:
    return f"chat:sockets:{room_id}:{member_id}"


def _roster_key(room_id: int) -> str:
    return f"chat:roster:{room_id}"


def _count_key(room_id: int) -> str:
    return f"chat:present:{room_id}"


# The roster changes under many writers at once (a thousand pages opening in a few
# seconds, on several server processes): on Redis it is a hash changed field by field
# (HSET/HDEL), never read, changed and written back whole, which loses concurrent
# arrivals. With a local-memory cache (one process) a lock does the same.
_roster_lock = threading.Lock()


def _redis_hash(room_id: int):
    """(Redis client, key of the room's roster hash), or None without Redis."""
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    return backend.get_client(write=True), _roster_hash_key(room_id)


def _on_redis(room_id: int, change, fallback=None):
    """Run ``change(client, key)`` on the roster hash; ``fallback`` while Redis is away."""
    found = _redis_hash(room_id)
    assert found is not None
    if not outages.worth_trying(outages.CACHE):
        return fallback
    try:
        return change(*found)
    except outages.CONNECTION_ERRORS as error:
        outages.report_down(outages.CACHE, error)
        return fallback


def _roster(room_id: int) -> dict[int, str]:
    if _redis_hash(room_id) is not None:
        raw = _on_redis(room_id, lambda client, key: client.hgetall(key), {})
        return {int(k): v.decode() for k, v in raw.items()}
    return cache.get(_roster_key(room_id)) or {}


def _add_to_roster(room_id: int, member_id: int, name: str) -> None:
    if _redis_hash(room_id) is not None:

        def add(client, key):
            client.pipeline().hset(key, str(member_id), name).expire(key, ROSTER_TTL).execute()

        _on_redis(room_id, add)
        return
    with _roster_lock:
        roster = _roster(room_id)
        if roster.get(member_id) != name:
            roster[member_id] = name
            cache.set(_roster_key(room_id), roster, ROSTER_TTL)


def _remove_from_roster(room_id: int, member_ids: list[int]) -> None:
    if not member_ids:
        return
    if _redis_hash(room_id) is not None:
        _on_redis(room_id, lambda client, key: client.hdel(key, *map(str, member_ids)))
        return
    with _roster_lock:
        roster = _roster(room_id)
        removed = [m for m in member_ids if roster.pop(m, None) is not None]
        if removed:
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
    cache.set(_seen_key(room_id, member_id), int(time.time()), PRESENCE_TTL)
    _add_to_roster(room_id, member_id, name)
    return not was_present


def _roster_hash_key(room_id: int) -> str:
    return cache.make_and_validate_key(f"chat:roster-h:{room_id}")


def ping(room_id: int, member_id: int, name: str) -> None:
    """The member's socket is still open: keep them present for PRESENCE_TTL more."""
    ping_many({(room_id, member_id): name})


def ping_many(marks: dict[tuple[int, int], str]) -> None:
    """Keep every (room, member) of ``marks`` (their names as values) present for
    PRESENCE_TTL more: on Redis in one round trip, however many."""
    if not marks:
        return
    first_room = next(iter(marks))[0]
    if _redis_hash(first_room) is None:
        for (room_id, member_id), name in marks.items():
            cache.set(_seen_key(room_id, member_id), int(time.time()), PRESENCE_TTL)
            cache.touch(_sockets_key(room_id, member_id), PRESENCE_TTL)
            _add_to_roster(room_id, member_id, name)
        return

    def write(client, _roster_of_first_room):
        # The seen mark is an int, which Django's Redis cache stores as is (no pickle).
        now = int(time.time())
        pipe = client.pipeline(transaction=False)
        rosters = set()
        for (room_id, member_id), name in marks.items():
            seen = cache.make_and_validate_key(_seen_key(room_id, member_id))
            pipe.set(seen, now, ex=PRESENCE_TTL)
            pipe.expire(cache.make_and_validate_key(_sockets_key(room_id, member_id)), PRESENCE_TTL)
            roster = _roster_hash_key(room_id)
            pipe.hset(roster, str(member_id), name)
            rosters.add(roster)
        for roster in rosters:
            pipe.expire(roster, ROSTER_TTL)
        pipe.execute()

    _on_redis(first_room, write)


def leave(room_id: int, member_id: int) -> bool:
    """A socket closed; True when it was the member's last one in the room."""
    try:
        remaining = cache.decr(_sockets_key(room_id, member_id))
    except ValueError:
        remaining = 0
    if remaining > 0:
        return False
    cache.delete_many([_sockets_key(room_id, member_id), _seen_key(room_id, member_id)])
    _remove_from_roster(room_id, [member_id])
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
        _remove_from_roster(room_id, [m for m in roster if m not in alive])
    cache.set(_count_key(room_id), len(alive), PRESENCE_TTL)
    return sorted(
        ({"id": member_id, "name": name} for member_id, name in alive.items()),
        key=lambda person: (person["name"].lower(), person["id"]),
    )


def listing(people: list[dict]) -> dict:
    """What a frame says about who is here: the true count and the first LIST_MAX of
    ``people`` (present()'s order: by name, stable), ``partial`` when some are left out."""
    return {"count": len(people), "members": people[:LIST_MAX], "partial": len(people) > LIST_MAX}


def count(room_id: int) -> int:
    cached = cache.get(_count_key(room_id))
    if cached is None:
        return len(present(room_id))
    return cached


Person = dict  # {"id": member id, "name": display name}
Announce = Callable[[int, list[Person], list[Person]], Awaitable[None]]


class Batches:
    """Presence changes of this process's sockets, announced per room in batches.

    When a thousand members open a room, one ``presence`` frame per arrival sent to
    everyone present is a million frames; here the first change of a quiet room is
    announced at once and the changes of the next ``BATCH_SECONDS`` together, so each
    socket gets at most one presence frame per second per server process. A member
    who arrived and left within one batch is announced as gone (the last change wins).
    """

    def __init__(self, announce: Announce) -> None:
        self._announce = announce
        self._pending: dict[int, dict[int, tuple[bool, Person]]] = {}
        self._timers: dict[int, asyncio.Task] = {}
        self._last: dict[int, float] = {}
        self._loops: dict[int, asyncio.AbstractEventLoop] = {}

    def changed(self, room_id: int, person: Person, *, here: bool) -> None:
        loop = asyncio.get_running_loop()
        if self._loops.get(room_id) is not loop:  # a new event loop: forget the old one's
            self._loops[room_id] = loop
            self._pending.pop(room_id, None)
            self._timers.pop(room_id, None)
            self._last.pop(room_id, None)
        self._pending.setdefault(room_id, {})[person["id"]] = (here, person)
        self._schedule(room_id, loop)

    def _schedule(self, room_id: int, loop: asyncio.AbstractEventLoop) -> None:
        timer = self._timers.get(room_id)
        if timer is not None and not timer.done():
            return
        wait = self._last.get(room_id, -BATCH_SECONDS) + BATCH_SECONDS - time.monotonic()
        self._timers[room_id] = loop.create_task(self._flush_after(room_id, max(0.0, wait)))

    async def _flush_after(self, room_id: int, wait: float) -> None:
        if wait > 0:
            await asyncio.sleep(wait)
        self._timers.pop(room_id, None)
        await self._send(room_id)

    async def flush(self, room_id: int) -> None:
        """Announce the room's pending changes now."""
        timer = self._timers.pop(room_id, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
        await self._send(room_id)

    async def _send(self, room_id: int) -> None:
        changes = self._pending.pop(room_id, None)
        if not changes:
            return
        self._last[room_id] = time.monotonic()
        joins = [person for here, person in changes.values() if here]
        leaves = [person for here, person in changes.values() if not here]
        try:
            await self._announce(room_id, joins, leaves)
        except Exception:  # the channel layer or the cache is away: try with the next batch
            logger.warning("chat: announcing presence in room %s failed", room_id, exc_info=True)
            pending = self._pending.setdefault(room_id, {})
            for member_id, change in changes.items():
                pending.setdefault(member_id, change)  # a newer change of theirs wins
            self._last[room_id] = time.monotonic()
            self._schedule(room_id, asyncio.get_running_loop())
        else:
            self._last[room_id] = time.monotonic()


def frame(count: int, joins: list[Person], leaves: list[Person]) -> dict:
    """The ``presence`` frame of a batch. A batch of one change also carries it as
    ``joined``/``left``, the fields of clients older than batches. At most LIST_MAX
    arrivals are named (a crowd arriving within a second is not one name per arrival to
    everyone); every departure is, so no page keeps showing someone who left."""
    body: dict = {"type": "presence", "count": count, "joins": joins[:LIST_MAX], "leaves": leaves}
    if len(joins) + len(leaves) == 1:
        body["joined" if joins else "left"] = (joins or leaves)[0]
    return body


# A ping's answer lists who is present as this process last read it, if that was less
# than this many seconds ago; an arrival or departure on this process forgets the kept
# list at once, and those on other processes reach every socket through the batches.
LISTED_KEEP_SECONDS = 1.0
# The seen marks of a process's pings are written together, once per this many seconds.
PING_FLUSH_SECONDS = 1.0


class Pings:
    """This process's pings, answered on its event loop.

    10,000 idle sockets ping 222 times a second. One thread and one Redis round trip
    per ping (the mark, then the list) took two thirds of the process at rest (py-spy,
    bench/chat_fanout idle). Here a ping costs no thread: its mark waits in memory and
    every mark of the last PING_FLUSH_SECONDS goes to Redis in one round trip (the
    presence TTL is a hundred times longer), and the answer is the room's list this
    process read less than LISTED_KEEP_SECONDS ago, already encoded, read once however
    many sockets of the room ask at the same time.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._marks: dict[tuple[int, int], str] = {}
        self._flusher: asyncio.Task | None = None
        self._flushing: asyncio.Task | None = None
        self._answers: dict[int, tuple[float, str]] = {}
        self._reads: dict[int, asyncio.Task] = {}
        self._changes: dict[int, int] = {}

    def _own(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (tests): forget the old one's
            self.__init__()  # type: ignore[misc]
            self._loop = loop
        return loop

    async def answer(self, room_id: int, member_id: int | None, name: str) -> str:
        """The member (not a visitor, ``member_id`` None) is still here; the text of the
        ``presence`` frame that answers their ping."""
        loop = self._own()
        if member_id is not None:
            self._marks[(room_id, member_id)] = name
            if self._flusher is None or self._flusher.done():
                self._flusher = loop.create_task(self._flush_after(PING_FLUSH_SECONDS))
        kept = self._answers.get(room_id)
        if kept is not None and time.monotonic() - kept[0] < LISTED_KEEP_SECONDS:
            return kept[1]
        read = self._reads.get(room_id)
        if read is None:
            read = loop.create_task(self._read(room_id))
            self._reads[room_id] = read
        return await asyncio.shield(read)

    async def _read(self, room_id: int) -> str:
        change = self._changes.get(room_id, 0)
        started = time.monotonic()
        try:
            people = await sync_to_async(present, thread_sensitive=False)(room_id)
        finally:
            self._reads.pop(room_id, None)
        text = encode({"type": "presence", **listing(people)})
        if self._changes.get(room_id, 0) == change:  # nobody came or went meanwhile
            self._answers[room_id] = (started, text)
        return text

    def changed(self, room_id: int) -> None:
        """Someone arrived in or left the room through this process: the next answer
        reads the list again."""
        self._own()
        self._answers.pop(room_id, None)
        self._changes[room_id] = self._changes.get(room_id, 0) + 1

    async def _flush_after(self, wait: float) -> None:
        while True:
            await asyncio.sleep(wait)
            await self.flush()
            if not self._marks:  # none came while writing: the next ping starts again
                return

    async def flush(self) -> None:
        """Write the marks waiting now (after a write under way)."""
        self._own()
        while self._flushing is not None and not self._flushing.done():
            await asyncio.shield(self._flushing)
        if self._marks:
            marks, self._marks = self._marks, {}
            self._flushing = asyncio.get_running_loop().create_task(self._write(marks))
            await asyncio.shield(self._flushing)

    @staticmethod
    async def _write(marks: dict[tuple[int, int], str]) -> None:
        try:
            await sync_to_async(ping_many, thread_sensitive=False)(marks)
        except Exception:  # a bug, not an outage (ping_many reports those): log, go on
            logger.exception("chat: writing %d presence marks failed", len(marks))

    async def leaving(self, room_id: int, member_id: int) -> None:
        """A socket of the member is closing: a mark of theirs written after their last
        socket's goodbye would keep a ghost present for PRESENCE_TTL, so their waiting
        mark is dropped and a write under way is waited for."""
        self._own()
        self._marks.pop((room_id, member_id), None)
        flushing = self._flushing
        if flushing is not None and not flushing.done():
            await asyncio.shield(flushing)


pings = Pings()


def forget() -> None:
    """Forget every room's kept list and every waiting mark (tests start from a clean
    slate)."""
    pings.__init__()  # type: ignore[misc]
