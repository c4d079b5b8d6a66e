"""The sends of every socket of a process are saved together: one trip to the database
thread and one transaction for all of them, each still checked on its own."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.chat import actions, saver
from community.chat.actions import ChatError, Sends
from community.chat.models import ChatMessage, RoomMute
from tests.chat.factories import make_room
from tests.chat.helpers import open_socket, receive_until
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def _statements(requests: list[Sends]) -> tuple[list, int]:
    with CaptureQueriesContext(connection) as queries:
        results = actions.send_from_sockets(requests)
    return results, len(queries.captured_queries)


def test_many_sockets_cost_what_one_costs(settings):
    # What follows the messages is the worker's (the production task backend).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    rooms = [make_room() for _ in range(3)]
    people = [make_member() for _ in range(6)]
    _, alone = _statements([Sends(rooms[0].pk, people[0].pk, ["first"])])

    requests = [
        Sends(rooms[n % 3].pk, person.pk, [f"hi from {n}"]) for n, person in enumerate(people)
    ]
    results, together = _statements(requests)

    # The members, their roles, the rooms, the mutes; the transaction: its start, the
    # locks, one insert, its end; the task.
    assert alone == 9
    assert together == alone
    saved = {m.pk: m for m in ChatMessage.objects.all()}
    for request, [message_id] in zip(requests, results, strict=True):
        message = saved[message_id]
        assert (message.room_id, message.author_id, message.body) == (
            request.room_id,
            request.member_id,
            request.bodies[0],
        )


def test_each_socket_is_still_checked_on_its_own(moderator):
    room = make_room()
    archived = make_room(archived=True)
    writer, muted, suspended, silenced = (make_member() for _ in range(4))
    RoomMute.objects.create(room=room, member=muted, until=timezone.now() + timedelta(hours=1))
    suspended.suspended_until = timezone.now() + timedelta(days=1)
    suspended.save()
    silenced.silenced_until = timezone.now() + timedelta(minutes=5)
    silenced.save()

    results = actions.send_from_sockets(
        [
            Sends(room.pk, writer.pk, ["one", "", "two"]),
            Sends(room.pk, muted.pk, ["let me"]),
            Sends(room.pk, suspended.pk, ["let me"]),
            Sends(room.pk, silenced.pk, ["let me"]),
            Sends(archived.pk, writer.pk, ["old news"]),
            Sends(room.pk, moderator.pk, ["calm down"]),
            Sends(room.pk + 999, writer.pk, ["nowhere"]),
        ]
    )

    codes = [[r.code if isinstance(r, ChatError) else "saved" for r in rs] for rs in results]
    assert codes == [
        ["saved", "invalid", "saved"],
        ["muted"],
        ["forbidden"],
        ["silenced"],
        ["archived"],
        ["saved"],
        ["forbidden"],
    ]
    bodies = list(
        ChatMessage.objects.filter(room=room).order_by("id").values_list("body", flat=True)
    )
    assert bodies == ["one", "two", "calm down"]


def test_a_member_over_the_flood_limit_is_refused_beyond_it_while_others_are_saved():
    room = make_room()
    flooder, calm = make_member(), make_member()
    bodies = [f"m{n}" for n in range(45)]
    [flooded, [calm_id]] = actions.send_from_sockets(
        [Sends(room.pk, flooder.pk, bodies), Sends(room.pk, calm.pk, ["hello"])]
    )
    refused = [r for r in flooded if isinstance(r, ChatError)]
    assert refused and {r.code for r in refused} == {"rate_limited"}
    assert ChatMessage.objects.filter(author=flooder).count() == len(flooded) - len(refused)
    assert ChatMessage.objects.get(pk=calm_id).author == calm


def test_when_saving_together_fails_each_socket_is_saved_on_its_own(monkeypatch):
    rooms = [make_room(), make_room()]
    people = [make_member(), make_member()]

    def broken(wanted):
        raise RuntimeError("a bug in the shared save")

    monkeypatch.setattr(actions, "_save_for_sockets", broken)
    results = actions.send_from_sockets(
        [Sends(rooms[0].pk, people[0].pk, ["a"]), Sends(rooms[1].pk, people[1].pk, ["b"])]
    )
    assert [ChatMessage.objects.get(pk=pk).body for [pk] in results] == ["a", "b"]


async def test_sends_arriving_while_a_round_runs_go_together_in_the_next(monkeypatch):
    rounds: list[list[Sends]] = []
    release = asyncio.Event()

    async def fake_save(requests):
        rounds.append(requests)
        if len(rounds) == 1:
            await release.wait()
        return [[n for n, _ in enumerate(r.bodies)] for r in requests]

    monkeypatch.setattr(saver, "_save", fake_save)
    the_saver = saver.Saver()
    first = asyncio.create_task(the_saver.save(1, 1, ["a"]))
    while not rounds:
        await asyncio.sleep(0)
    others = [asyncio.create_task(the_saver.save(room, room, ["b", "c"])) for room in (2, 3, 4)]
    await asyncio.sleep(0)
    release.set()
    assert await first == [0]
    assert [await task for task in others] == [[0, 1]] * 3
    assert [[r.room_id for r in requests] for requests in rounds] == [[1], [2, 3, 4]]


async def test_two_rooms_writing_at_once_each_get_their_own_message(moderator):
    rooms = [await sync_to_async(make_room)() for _ in range(2)]
    writers = [await sync_to_async(make_member)() for _ in range(2)]
    sockets = [
        (await open_socket(room, writer))[0] for room, writer in zip(rooms, writers, strict=True)
    ]
    for n, socket in enumerate(sockets):
        await socket.send_json_to({"type": "send", "body": f"for room {n}", "ref": f"r{n}"})
    for n, socket in enumerate(sockets):
        frame = await receive_until(socket, "message")
        assert frame["message"]["body"] == f"for room {n}"
        ack = await receive_until(socket, "ack")
        assert ack["ref"] == f"r{n}" and ack["id"] == frame["message"]["id"]
    for socket in sockets:
        await socket.disconnect()
