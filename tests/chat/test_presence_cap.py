"""A big room does not send every name present to every arrival and every ping.

``ready`` and the answer to a ping list the first ``presence.LIST_MAX`` members by name
with the true count and ``partial``; batches keep the count right on such a list.
(The cap is made small here so the room need not hold fifty members.)
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from community.chat import consumers, presence
from tests.chat.factories import make_room
from tests.chat.helpers import open_socket, receive_until
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)

CROWD = ["Alex", "Ben", "Cara", "Dina", "Eve", "Finn", "Gus"]


@pytest.fixture
def room(db):
    return make_room()


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(presence, "LIST_MAX", 5)
    monkeypatch.setattr(presence, "BATCH_SECONDS", 600.0)  # only an explicit flush announces


def _crowd_in(room) -> list[dict]:
    """Seven members with the room open (their sockets' presence, without the sockets)."""
    people = []
    for name in CROWD:
        person = make_member(username=name.lower(), display_name=name)
        presence.join(room.pk, person.pk, person.name)
        people.append({"id": person.pk, "name": name})
    return people


async def test_ready_lists_the_first_names_and_the_true_count(room, member, small_cap):
    crowd = await sync_to_async(_crowd_in)(room)
    maya, ready = await open_socket(room, member)
    # Maya and the seven: eight here, the first five by name listed.
    assert ready["present"] == {"count": 8, "members": crowd[:5], "partial": True}

    await maya.send_json_to({"type": "ping"})
    # Maya may first hear the batch announcing her own arrival: the answer lists members.
    answer = await receive_until(maya, "presence")
    while "members" not in answer:
        answer = await receive_until(maya, "presence")
    assert answer == {"type": "presence", "count": 8, "members": crowd[:5], "partial": True}
    await maya.disconnect()


async def test_a_room_under_the_cap_is_listed_whole(room, member, small_cap):
    maya, ready = await open_socket(room, member)
    assert ready["present"] == {
        "count": 1,
        "members": [{"id": member.pk, "name": "Maya"}],
        "partial": False,
    }
    await maya.disconnect()


async def test_batches_keep_the_count_of_a_partial_list_right(
    room, member, other_member, small_cap
):
    await sync_to_async(_crowd_in)(room)
    maya, ready = await open_socket(room, member)
    assert ready["present"]["count"] == 8
    await consumers.batches.flush(room.pk)

    sam, _ = await open_socket(room, other_member)
    await consumers.batches.flush(room.pk)
    frame = await receive_until(maya, "presence")
    while frame["joins"] != [{"id": other_member.pk, "name": "Sam"}]:
        frame = await receive_until(maya, "presence")
    assert frame["count"] == 9

    await sam.disconnect()
    await consumers.batches.flush(room.pk)
    frame = await receive_until(maya, "presence")
    assert frame["leaves"] == [{"id": other_member.pk, "name": "Sam"}]
    assert frame["count"] == 8
    await maya.disconnect()


def test_a_batch_names_at_most_the_cap_of_arrivals_but_counts_them_all(small_cap):
    arrivals = [{"id": n, "name": f"Member {n}"} for n in range(1, 9)]
    frame = presence.frame(12, arrivals, [{"id": 20, "name": "Gone"}])
    assert frame["count"] == 12
    assert frame["joins"] == arrivals[:5]
    assert frame["leaves"] == [{"id": 20, "name": "Gone"}]


def test_the_cap_is_a_screenful_of_names():
    assert 20 <= presence.LIST_MAX <= 100
