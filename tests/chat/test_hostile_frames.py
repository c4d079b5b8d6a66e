"""Any frame of any shape or size gets the documented answer, and a socket that ends in
any way leaves presence and the per-member socket counter right."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.chat import presence
from community.chat.protocol import MAX_FRAME_BYTES, parse_frame
from tests.chat.factories import make_room
from tests.chat.helpers import open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

NESTED = "[" * 1000 + "]" * 1000  # ~2 KB: deep enough to exhaust the parser's stack
NESTED_OBJECT = '{"type": "send", "body": ' + "[" * 5000 + "]" * 5000 + "}"


@pytest.fixture
def room(db):
    return make_room(slug="lobby", name="Lobby")


@pytest.mark.parametrize("raw", [NESTED, NESTED_OBJECT, '{"a":' * 2000 + "1" + "}" * 2000])
async def test_it_answers_deeply_nested_json_with_an_error_and_stays_open(room, member, raw):
    socket, _ = await open_socket(room, member)
    await socket.send_to(text_data=raw)
    error = await receive_until(socket, "error")
    assert error["code"] == "bad_json"
    await socket.send_json_to({"type": "ping"})
    assert (await receive_until(socket, "presence"))["count"] == 1
    await socket.disconnect()


async def test_a_crash_closes_the_socket_and_still_runs_the_disconnect_path(
    room, member, other_member, monkeypatch
):
    maya, _ = await open_socket(room, member)
    sam, _ = await open_socket(room, other_member)

    def broken(text: str):
        raise RuntimeError("a bug in the frame parser")

    monkeypatch.setattr("community.chat.consumers.parse_frame", broken)
    await sam.send_to(text_data='{"type": "ping"}')
    closed = await sam.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1011}
    left = await receive_until(maya, "presence")
    while "left" not in left:  # Sam's arrival comes first
        left = await receive_until(maya, "presence")
    assert left["left"] == {"id": other_member.pk, "name": "Sam"} and left["count"] == 1
    assert await sync_to_async(presence.present)(room.pk) == [{"id": member.pk, "name": "Maya"}]
    await maya.disconnect()


async def test_presence_and_the_socket_counter_are_right_after_junk_frames(room, member):
    first, _ = await open_socket(room, member)
    second, _ = await open_socket(room, member)
    for raw in (NESTED, "\x00", '{"type": "since", "after": 1e400}', '{"type":"send","body":"'):
        await first.send_to(text_data=raw)
        await receive_until(first, "error")
    await first.send_to(bytes_data=b"\x00\xff")
    assert (await receive_until(first, "error"))["code"] == "bad_frame"
    await first.disconnect()
    await second.disconnect()
    assert await sync_to_async(presence.present)(room.pk) == []
    assert await sync_to_async(presence.leave)(room.pk, member.pk) is True  # counter at zero


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = ["type", "id", "body", "after", "before", "limit", "reaction", "on", "ref"]
frame_shapes = st.one_of(
    json_values.map(json.dumps),
    st.dictionaries(st.sampled_from(FIELDS), json_values).map(json.dumps),
    st.text(max_size=200),
    st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n),
)


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(frame_shapes)
def test_the_parser_answers_every_shape_with_a_frame_or_a_frame_error(text):
    from community.chat.protocol import FrameError, frame_too_large

    if frame_too_large(text):
        return
    try:
        frame = parse_frame(text)
    except FrameError as error:
        assert error.code in {
            "bad_json",
            "bad_frame",
            "missing_field",
            "wrong_type",
            "unknown_type",
            "bad_value",
        }
    else:
        assert frame.type in {
            "send",
            "edit",
            "delete",
            "react",
            "typing",
            "history",
            "since",
            "read",
            "ping",
        }


def test_a_frame_just_over_the_limit_is_too_large():
    from community.chat.protocol import frame_too_large

    assert frame_too_large("x" * (MAX_FRAME_BYTES + 1))
    assert frame_too_large("é" * (MAX_FRAME_BYTES // 2 + 1))
