"""After a deploy every open page reconnects at once: what opening a socket costs the
server's one database thread is pinned here (the session's two queries come on top)."""

from __future__ import annotations

import threading

import pytest
from django.db.backends.utils import CursorWrapper

from tests.chat.factories import make_message, make_room
from tests.chat.helpers import open_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def statements(monkeypatch):
    """Every statement any thread runs (the socket's run on the database thread)."""
    seen: list[str] = []
    lock = threading.Lock()
    original = CursorWrapper._execute

    def execute(self, sql, params, *ignored):
        with lock:
            seen.append(sql)
        return original(self, sql, params, *ignored)

    monkeypatch.setattr(CursorWrapper, "_execute", execute)
    return seen


async def test_a_member_opening_a_socket_costs_four_queries(member, other_member, statements):
    room = await _room_with_a_message(other_member)
    statements.clear()
    comm, ready = await open_socket(room, member)
    # The room; then its newest id, the member's mutes in it and their groups.
    assert len(statements) == 4, statements
    assert ready["last_id"] > 0 and ready["can_send"] is True and ready["moderator"] is False
    await comm.disconnect()


async def test_a_visitor_opening_a_socket_costs_two_queries(other_member, statements):
    room = await _room_with_a_message(other_member)
    statements.clear()
    comm, ready = await open_socket(room)
    assert len(statements) == 2, statements
    assert ready["can_send"] is False and ready["me"] is None
    await comm.disconnect()


async def test_a_moderator_learns_it_at_once(moderator, other_member):
    room = await _room_with_a_message(other_member)
    comm, ready = await open_socket(room, moderator)
    assert ready["moderator"] is True and ready["can_send"] is True
    await comm.disconnect()


async def _room_with_a_message(author):
    from asgiref.sync import sync_to_async

    room = await sync_to_async(make_room)()
    await sync_to_async(make_message)(room, author, "hello")
    return room
