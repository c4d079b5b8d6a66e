"""Every client frame type, and every error, over a real ChatConsumer."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from community.chat.models import ChatMessage, ChatReaction, ReadState
from community.chat.protocol import MAX_FRAME_BYTES
from community.models import Notification
from tests.chat.factories import make_message, make_room
from tests.chat.helpers import (
    count,
    frames_through,
    frames_until,
    frames_until_quiet,
    open_socket,
    receive_until,
)
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(db):
    return make_room(slug="lobby", name="Lobby")


async def test_it_greets_a_member_with_the_room_and_who_is_here(room, member):
    socket, ready = await open_socket(room, member)
    assert ready["room"] == {"slug": "lobby", "name": "Lobby", "archived": False}
    assert ready["me"]["username"] == "maya"
    assert ready["can_send"] is True
    assert ready["moderator"] is False
    assert ready["present"] == {
        "count": 1,
        "members": [{"id": member.pk, "name": "Maya"}],
        "partial": False,
    }
    assert 30 <= ready["ping_seconds"] <= 60
    await socket.disconnect()


async def test_it_saves_a_sent_message_before_everyone_receives_it(room, member, other_member):
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    await maya.send_json_to({"type": "send", "body": "  Hello <b>Sam</b>  ", "ref": "r1"})
    frame = await receive_until(sam, "message")
    saved = await sync_to_async(ChatMessage.objects.get)()
    assert frame["message"]["id"] == saved.pk
    assert frame["message"]["body"] == "Hello <b>Sam</b>" == saved.body
    assert frame["message"]["author"] == {
        "id": member.pk,
        "username": "maya",
        "name": "Maya",
        "url": "/members/maya/",
    }
    own = {
        f["type"]: f
        for f in await frames_until(maya, lambda fs: count(fs, "ack") and count(fs, "message"))
    }
    assert own["ack"] == {"type": "ack", "ref": "r1", "id": saved.pk}
    assert own["message"]["message"]["id"] == saved.pk
    await maya.disconnect()
    await sam.disconnect()


async def test_it_gives_messages_increasing_ids(room, member):
    socket, _ = await open_socket(room, member)
    for n in range(3):
        await socket.send_json_to({"type": "send", "body": f"line {n}"})
    ids = [(await receive_until(socket, "message"))["message"]["id"] for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3
    await socket.disconnect()


async def test_it_refuses_an_empty_or_too_long_message(room, member):
    socket, _ = await open_socket(room, member)
    await socket.send_json_to({"type": "send", "body": "   ", "ref": "a"})
    error = await receive_until(socket, "error")
    assert error["code"] == "invalid" and error["ref"] == "a"
    await socket.send_json_to({"type": "send", "body": "x" * 2001, "ref": "b"})
    error = await receive_until(socket, "error")
    assert error["code"] == "invalid" and "2,000" in error["message"]
    assert await sync_to_async(ChatMessage.objects.count)() == 0
    await socket.disconnect()


async def test_it_lets_the_author_edit_within_five_minutes(room, member, other_member):
    message = await sync_to_async(make_message)(room, member, "Helo")
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    await maya.send_json_to({"type": "edit", "id": message.pk, "body": "Hello"})
    edited = await receive_until(sam, "edited")
    assert edited["id"] == message.pk and edited["body"] == "Hello" and edited["edited_at"]
    await sync_to_async(message.refresh_from_db)()
    assert message.body == "Hello" and message.edited_at is not None
    await maya.disconnect()
    await sam.disconnect()


async def test_it_refuses_an_edit_after_five_minutes_or_by_someone_else(room, member, other_member):
    old = await sync_to_async(make_message)(
        room, member, "old", created_at=timezone.now() - timedelta(minutes=6)
    )
    fresh = await sync_to_async(make_message)(room, member, "fresh")
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    await maya.send_json_to({"type": "edit", "id": old.pk, "body": "changed"})
    assert (await receive_until(maya, "error"))["code"] == "forbidden"
    await sam.send_json_to({"type": "edit", "id": fresh.pk, "body": "hijacked"})
    assert (await receive_until(sam, "error"))["code"] == "forbidden"
    assert await sync_to_async(
        lambda: list(ChatMessage.objects.values_list("body", flat=True))
    )() == [
        "old",
        "fresh",
    ]
    await maya.disconnect()
    await sam.disconnect()


async def test_it_deletes_own_message_for_everyone(room, member, other_member):
    message = await sync_to_async(make_message)(room, member, "oops")
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    await maya.send_json_to({"type": "delete", "id": message.pk})
    assert await receive_until(sam, "deleted") == {"type": "deleted", "id": message.pk}
    await sync_to_async(message.refresh_from_db)()
    assert message.deleted_at is not None and message.deleted_by_id == member.pk
    await maya.disconnect()
    await sam.disconnect()


async def test_it_refuses_to_delete_someone_elses_message(room, member, other_member):
    message = await sync_to_async(make_message)(room, member, "mine")
    sam, _ = await open_socket(room, other_member)
    await sam.send_json_to({"type": "delete", "id": message.pk, "ref": "d"})
    error = await receive_until(sam, "error")
    assert error["code"] == "forbidden" and error["ref"] == "d"
    await sync_to_async(message.refresh_from_db)()
    assert message.deleted_at is None
    await sam.disconnect()


async def test_it_answers_not_found_for_a_message_of_another_room(room, member):
    elsewhere = await sync_to_async(make_room)()
    message = await sync_to_async(make_message)(elsewhere, member)
    socket, _ = await open_socket(room, member)
    await socket.send_json_to({"type": "delete", "id": message.pk})
    assert (await receive_until(socket, "error"))["code"] == "not_found"
    await socket.send_json_to({"type": "react", "id": 999999, "reaction": "like"})
    assert (await receive_until(socket, "error"))["code"] == "not_found"
    await socket.disconnect()


async def test_it_toggles_a_reaction_and_tells_everyone_the_count(room, member, other_member):
    message = await sync_to_async(make_message)(room, member, "cake!")
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    await sam.send_json_to({"type": "react", "id": message.pk, "reaction": "heart"})
    frame = await receive_until(maya, "reaction")
    assert frame == {
        "type": "reaction",
        "id": message.pk,
        "reaction": "heart",
        "count": 1,
        "member": other_member.pk,
        "on": True,
    }
    await sam.send_json_to({"type": "react", "id": message.pk, "reaction": "heart"})
    frame = await receive_until(maya, "reaction")
    assert frame["count"] == 0 and frame["on"] is False
    await maya.disconnect()
    await sam.disconnect()


async def test_it_sets_a_reaction_when_the_frame_says_on_instead_of_toggling(
    room, member, other_member
):
    message = await sync_to_async(make_message)(room, member, "cake!")
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    like = {"type": "react", "id": message.pk, "reaction": "like", "on": True}
    await sam.send_json_to({**like, "ref": "a"})
    await sam.send_json_to({**like, "ref": "b"})
    # The second frame changes nothing, so only its ack says it was handled.
    assert (await receive_until(sam, "ack"))["ref"] == "a"
    assert (await receive_until(sam, "ack"))["ref"] == "b"
    assert await sync_to_async(ChatReaction.objects.count)() == 1
    frames = await frames_until(maya, lambda fs: count(fs, "reaction"))
    frames += await frames_until_quiet(maya)  # and no second one after it
    reactions = [f for f in frames if f["type"] == "reaction"]
    assert [(f["count"], f["on"]) for f in reactions] == [(1, True)]
    await sam.send_json_to({**like, "on": False, "ref": "c"})
    await sam.send_json_to({**like, "on": False, "ref": "d"})
    assert (await receive_until(sam, "ack"))["ref"] == "c"
    assert (await receive_until(sam, "ack"))["ref"] == "d"
    assert await sync_to_async(ChatReaction.objects.count)() == 0
    await sam.send_json_to({**like, "on": "yes", "ref": "e"})
    error = await receive_until(sam, "error")
    assert error["code"] == "wrong_type" and error["ref"] == "e"
    assert "on must be true or false" in error["message"]
    await maya.disconnect()
    await sam.disconnect()


async def test_it_relays_typing_to_others_at_most_every_two_seconds(room, member, other_member):
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    await maya.send_json_to({"type": "typing"})
    frame = await receive_until(sam, "typing")
    assert frame["member"] == {"id": member.pk, "name": "Maya"}
    await maya.send_json_to({"type": "typing"})
    assert not [f for f in await frames_until_quiet(sam) if f["type"] == "typing"]
    await maya.disconnect()
    await sam.disconnect()


async def test_it_does_not_relay_typing_in_a_room_with_more_than_a_hundred_present(
    room, member, other_member, monkeypatch
):
    from community.chat import presence

    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    monkeypatch.setattr(presence, "count", lambda room_id: 101)
    await maya.send_json_to({"type": "typing"})
    assert not [f for f in await frames_until_quiet(sam) if f["type"] == "typing"]
    await maya.disconnect()
    await sam.disconnect()


async def test_it_pages_back_through_history(room, member):
    messages = await sync_to_async(
        lambda: [make_message(room, member, f"m{n}") for n in range(5)]
    )()
    socket, _ = await open_socket(room, member)
    await socket.send_json_to({"type": "history", "before": messages[4].pk, "limit": 2})
    frame = await receive_until(socket, "history")
    assert [m["body"] for m in frame["messages"]] == ["m2", "m3"]
    assert frame["more"] is True
    await socket.send_json_to({"type": "history", "before": messages[2].pk, "limit": 2})
    frame = await receive_until(socket, "history")
    assert [m["body"] for m in frame["messages"]] == ["m0", "m1"]
    assert frame["more"] is False
    await socket.disconnect()


async def test_it_sends_everything_after_an_id_once_and_in_order(room, member):
    messages = await sync_to_async(
        lambda: [make_message(room, member, f"m{n}") for n in range(4)]
    )()
    await sync_to_async(messages[2].__class__.objects.filter(pk=messages[2].pk).update)(
        deleted_at=timezone.now()
    )
    socket, _ = await open_socket(room, member)
    await socket.send_json_to({"type": "since", "after": messages[0].pk})
    frames = await frames_through(socket, "synced")
    bodies = [f["message"]["body"] for f in frames if f["type"] == "message"]
    assert bodies == ["m1", "m3"]
    assert [f for f in frames if f["type"] == "synced"] == [
        {"type": "synced", "last_id": messages[3].pk, "more": False}
    ]
    await socket.disconnect()


async def test_it_moves_the_read_marker_forward_only(room, member):
    messages = await sync_to_async(
        lambda: [make_message(room, member, f"m{n}") for n in range(3)]
    )()
    socket, _ = await open_socket(room, member)
    await socket.send_json_to({"type": "read", "id": messages[2].pk})
    assert (await receive_until(socket, "read"))["last_id"] == messages[2].pk
    await socket.send_json_to({"type": "read", "id": messages[0].pk})
    assert (await receive_until(socket, "read"))["last_id"] == messages[2].pk
    await socket.send_json_to({"type": "read", "id": 10**12})  # never past the newest
    assert (await receive_until(socket, "read"))["last_id"] == messages[2].pk
    state = await sync_to_async(ReadState.objects.get)(member=member, room=room)
    assert state.last_read_id == messages[2].pk
    await socket.disconnect()


async def test_it_answers_a_ping_with_who_is_here(room, member, other_member):
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    # Maya may first hear the batch announcing her own arrival; Sam's follows.
    joined = await receive_until(maya, "presence")
    while joined.get("joined") == {"id": member.pk, "name": "Maya"}:
        joined = await receive_until(maya, "presence")
    assert joined["joined"] == {"id": other_member.pk, "name": "Sam"} and joined["count"] == 2
    await maya.send_json_to({"type": "ping"})
    frame = await receive_until(maya, "presence")
    while "members" not in frame:
        frame = await receive_until(maya, "presence")
    assert frame["count"] == 2
    assert [p["name"] for p in frame["members"]] == ["Maya", "Sam"]
    await sam.disconnect()
    left = await receive_until(maya, "presence")
    assert left["left"] == {"id": other_member.pk, "name": "Sam"} and left["count"] == 1
    await maya.disconnect()


async def test_it_notifies_mentioned_members(room, member, other_member):
    socket, _ = await open_socket(room, member)
    await socket.send_json_to({"type": "send", "body": "@sam look at this"})
    await receive_until(socket, "message")
    notification = await sync_to_async(Notification.objects.get)(recipient=other_member)
    assert notification.kind == "chat_mention"
    assert "Maya mentioned you in Lobby" in notification.text
    assert notification.url.startswith("/chat/lobby/#message-")
    await socket.disconnect()


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, code",
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('"send"', "bad_frame"),
        ("{}", "missing_field"),
        ('{"type": 7}', "wrong_type"),
        ('{"type": "shout"}', "unknown_type"),
        ('{"type": "send"}', "missing_field"),
        ('{"type": "send", "body": 12}', "wrong_type"),
        ('{"type": "edit", "id": "7", "body": "x"}', "wrong_type"),
        ('{"type": "edit", "id": true, "body": "x"}', "wrong_type"),
        ('{"type": "delete"}', "missing_field"),
        ('{"type": "react", "id": 1, "reaction": "thumbsdown"}', "bad_value"),
        ('{"type": "react", "id": 1}', "missing_field"),
        ('{"type": "history", "before": -1}', "bad_value"),
        ('{"type": "history", "before": 5, "limit": 1000}', "bad_value"),
        ('{"type": "since"}', "missing_field"),
        ('{"type": "since", "after": 1.5}', "wrong_type"),
        ('{"type": "read", "id": null}', "missing_field"),
        ('{"type": "send", "body": "x", "ref": 5}', "wrong_type"),
    ],
)
async def test_it_answers_a_bad_frame_with_an_error_and_stays_open(room, member, raw, code):
    socket, _ = await open_socket(room, member)
    await socket.send_to(text_data=raw)
    error = await receive_until(socket, "error")
    assert error["code"] == code
    assert error["message"]
    # Still alive and useful.
    await socket.send_json_to({"type": "send", "body": "still here"})
    assert (await receive_until(socket, "message"))["message"]["body"] == "still here"
    await socket.disconnect()


async def test_it_answers_a_binary_frame_with_an_error(room, member):
    socket, _ = await open_socket(room, member)
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await receive_until(socket, "error"))["code"] == "bad_frame"
    await socket.disconnect()


async def test_it_closes_with_1009_on_a_frame_over_16_kib(room, member, other_member):
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    await maya.send_to(text_data=json.dumps({"type": "send", "body": "é" * MAX_FRAME_BYTES}))
    output = await maya.receive_output(timeout=2)
    while output["type"] != "websocket.close":
        output = await maya.receive_output(timeout=2)
    assert output["code"] == 1009
    # Others are undisturbed.
    await sam.send_json_to({"type": "send", "body": "anyone?"})
    assert (await receive_until(sam, "message"))["message"]["body"] == "anyone?"
    assert await sync_to_async(ChatMessage.objects.count)() == 1
    await sam.disconnect()


async def test_it_accepts_a_frame_just_under_16_kib(room, member):
    socket, _ = await open_socket(room, member)
    frame = json.dumps({"type": "typing", "pad": "x" * (MAX_FRAME_BYTES - 40)})
    assert len(frame.encode()) <= MAX_FRAME_BYTES
    await socket.send_to(text_data=frame)
    await socket.send_json_to({"type": "ping"})
    assert (await receive_until(socket, "presence"))["type"] == "presence"
    await socket.disconnect()


async def test_it_survives_a_bug_in_an_action_with_a_server_error_frame(room, member, monkeypatch):
    from community.chat import actions

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(actions, "mark_read", broken)
    socket, _ = await open_socket(room, member)
    await socket.send_json_to({"type": "read", "id": 1, "ref": "x"})
    error = await receive_until(socket, "error")
    assert error["code"] == "server_error" and error["ref"] == "x"
    await socket.send_json_to({"type": "send", "body": "fine"})
    assert (await receive_until(socket, "message"))["message"]["body"] == "fine"
    await socket.disconnect()


async def test_it_tells_a_visitor_to_sign_in_to_send(room):
    socket, ready = await open_socket(room, None)
    assert ready["me"] is None and ready["can_send"] is False
    for frame in (
        {"type": "send", "body": "hi"},
        {"type": "typing"},
        {"type": "read", "id": 1},
        {"type": "react", "id": 1, "reaction": "like"},
        {"type": "delete", "id": 1},
        {"type": "edit", "id": 1, "body": "x"},
    ):
        await socket.send_json_to(frame)
        assert (await receive_until(socket, "error"))["code"] == "forbidden"
    assert await sync_to_async(ChatMessage.objects.count)() == 0
    await socket.disconnect()


async def test_it_refuses_to_send_in_an_archived_room(member):
    archived = await sync_to_async(make_room)(archived=True)
    socket, ready = await open_socket(archived, member)
    assert ready["can_send"] is False and "archived" in ready["refusal"]
    await socket.send_json_to({"type": "send", "body": "hello?"})
    assert (await receive_until(socket, "error"))["code"] == "archived"
    await socket.disconnect()


async def test_it_refuses_a_silenced_member(room):
    silenced = await sync_to_async(make_member)(silenced_until=timezone.now() + timedelta(hours=1))
    socket, _ = await open_socket(room, silenced)
    await socket.send_json_to({"type": "send", "body": "let me talk"})
    assert (await receive_until(socket, "error"))["code"] == "silenced"
    await socket.disconnect()


async def test_a_burst_of_sends_is_saved_in_order_and_each_is_acknowledged(
    room, member, other_member
):
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)
    for n in range(12):
        body = "" if n == 5 else f"burst {n}"
        await maya.send_json_to({"type": "send", "body": body, "ref": f"r{n}"})
    frames = await frames_until(maya, lambda fs: count(fs, "ack") + count(fs, "error") == 12)
    acks = {f["ref"]: f["id"] for f in frames if f["type"] == "ack"}
    errors = [f for f in frames if f["type"] == "error"]
    assert len(acks) == 11 and [e["ref"] for e in errors] == ["r5"]
    frames = await frames_until(sam, lambda fs: count(fs, "message") == 11)
    received = [f["message"] for f in frames if f["type"] == "message"]
    assert [m["body"] for m in received] == [f"burst {n}" for n in range(12) if n != 5]
    assert [m["id"] for m in received] == sorted(acks.values())
    saved = await sync_to_async(lambda: list(ChatMessage.objects.values_list("body", flat=True)))()
    assert saved == [m["body"] for m in received]
    await maya.disconnect()
    await sam.disconnect()
