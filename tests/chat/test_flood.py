"""Flood control: a token bucket per member, then a 30-minute silence for repeat floods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community.chat import actions, limits
from community.chat.actions import ChatError
from community.chat.models import ChatMessage
from tests.chat.factories import make_room
from tests.chat.helpers import count, frames_until, open_socket
from tests.factories import make_member


@pytest.fixture
def room(db):
    return make_room()


@pytest.fixture
def frozen_clock():
    # The clock stands still unless a test moves it (time-machine moves every clock:
    # time.time() in the bucket and timezone.now() in the models alike).
    with time_machine.travel(datetime(2026, 5, 4, 10, 0, tzinfo=UTC), tick=False) as clock:
        yield clock


def _send_many(room, member, count: int) -> list:
    results = []
    for n in range(count):
        try:
            results.append(actions.send_message(room=room, author=member, body=f"msg {n}"))
        except ChatError as error:
            results.append(error)
    return results


@pytest.mark.parametrize("joined_days_ago, allowed", [(2, 20), (6, 20), (8, 40), (400, 40)])
def test_it_allows_a_burst_by_account_age(room, frozen_clock, joined_days_ago, allowed):
    member = make_member(joined_days_ago=joined_days_ago)
    results = _send_many(room, member, allowed + 1)
    assert all(isinstance(r, ChatMessage) for r in results[:allowed])
    refused = results[allowed]
    assert isinstance(refused, ChatError) and refused.code == "rate_limited"
    assert refused.retry_after == 2 if allowed == 20 else refused.retry_after == 1
    assert "You can send again in" in refused.message
    assert ChatMessage.objects.count() == allowed


def test_it_refills_the_bucket_over_thirty_seconds(room, frozen_clock):
    member = make_member(joined_days_ago=2)
    _send_many(room, member, 20)
    with pytest.raises(ChatError):
        actions.send_message(room=room, author=member, body="too soon")
    frozen_clock.shift(3)  # 20 per 30 s: two tokens after three seconds
    _send_many(room, member, 2)
    assert ChatMessage.objects.count() == 22
    with pytest.raises(ChatError):
        actions.send_message(room=room, author=member, body="too soon again")


def test_repeated_flooding_silences_the_member_for_thirty_minutes(room, frozen_clock):
    member = make_member(joined_days_ago=2)
    results = _send_many(room, member, 20 + limits.STRIKES_TO_SILENCE)
    codes = [r.code for r in results if isinstance(r, ChatError)]
    assert codes[-1] == "silenced"
    assert set(codes[:-1]) == {"rate_limited"}
    member.refresh_from_db()
    assert member.is_silenced
    assert abs(member.silenced_until - (timezone.now() + timedelta(minutes=30))) < timedelta(
        minutes=1
    )
    assert ModelLogEntry.objects.filter(action="hearth.chat.auto_silence").count() == 1
    with pytest.raises(ChatError) as refused:
        actions.send_message(room=room, author=member, body="let me back")
    assert refused.value.code == "silenced"


def test_moderators_are_not_rate_limited(room, frozen_clock, moderator):
    results = _send_many(room, moderator, 60)
    assert all(isinstance(r, ChatMessage) for r in results)


@pytest.mark.django_db(transaction=True)
async def test_the_socket_says_when_the_member_may_send_again(frozen_clock):
    room = await sync_to_async(make_room)()
    member = await sync_to_async(make_member)(joined_days_ago=2)
    socket, _ = await open_socket(room, member)
    for n in range(21):
        await socket.send_json_to({"type": "send", "body": f"spam {n}", "ref": f"r{n}"})
    frames = await frames_until(
        socket, lambda fs: count(fs, "message") == 20 and count(fs, "error") == 1
    )
    errors = [f for f in frames if f["type"] == "error"]
    assert len(errors) == 1
    assert errors[0]["code"] == "rate_limited" and errors[0]["ref"] == "r20"
    assert errors[0]["retry_after"] == 2
    assert "You can send again in 2 seconds" in errors[0]["message"]
    assert len([f for f in frames if f["type"] == "message"]) == 20
    await socket.disconnect()
