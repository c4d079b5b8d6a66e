"""After a deploy every open page sends ``since`` at once: its answer costs one query."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from community.chat import actions
from community.chat.consumers import missed_messages
from tests.chat.factories import make_message, make_room
from tests.chat.helpers import frames_through, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(db):
    return make_room()


def test_a_catch_up_is_one_query_with_authors_and_reactions(
    room, member, other_member, django_assert_num_queries
):
    messages = [make_message(room, member, f"m{n}") for n in range(6)]
    actions.react(message=messages[2], member=other_member, kind="like", on=True)
    actions.react(message=messages[2], member=member, kind="like", on=True)
    actions.react(message=messages[4], member=other_member, kind="laugh", on=True)
    with django_assert_num_queries(1):
        payloads, more = missed_messages(room.pk, messages[0].pk, messages[-1].pk, 500)
    assert [p["id"] for p in payloads] == [m.pk for m in messages[1:]]
    assert [p["author"]["name"] for p in payloads] == ["Maya"] * 5
    assert [p["reactions"] for p in payloads] == [{}, {"like": 2}, {}, {"laugh": 1}, {}]
    assert more is False


def test_a_capped_catch_up_is_still_one_query(room, member, django_assert_num_queries):
    messages = [make_message(room, member, f"m{n}") for n in range(5)]
    with django_assert_num_queries(1):
        payloads, more = missed_messages(room.pk, 0, messages[-1].pk, 3)
    assert [p["id"] for p in payloads] == [m.pk for m in messages[-3:]]
    assert more is True


def test_nothing_to_catch_up_costs_no_query(room, member, django_assert_num_queries):
    last = make_message(room, member, "newest")
    with django_assert_num_queries(0):
        assert missed_messages(room.pk, last.pk, last.pk, 500) == ([], False)


def test_mentions_in_the_missed_messages_cost_one_more_query(
    room, member, other_member, django_assert_num_queries
):
    first = make_message(room, member, "hi")
    last = make_message(room, member, "hello @sam")
    with django_assert_num_queries(2):
        payloads, _ = missed_messages(room.pk, first.pk, last.pk, 500)
    assert 'class="mention"' in payloads[0]["html"]


async def test_the_socket_replays_reaction_counts(room, member, other_member):
    message = await sync_to_async(make_message)(room, member, "react to me")
    await sync_to_async(actions.react)(message=message, member=other_member, kind="like", on=True)
    maya, _ = await open_socket(room, member)
    await maya.send_json_to({"type": "since", "after": 0})
    frames = await frames_through(maya, "synced")
    replayed = [f["message"] for f in frames if f["type"] == "message"]
    assert [(m["id"], m["reactions"]) for m in replayed] == [(message.pk, {"like": 1})]
    await maya.disconnect()
