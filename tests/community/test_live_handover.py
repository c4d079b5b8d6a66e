"""A database thread hands what it announces to its event loop and goes on: it never
waits for a busy loop (or a slow Redis) to send it, and the events still leave in the
order they were saved in."""

from __future__ import annotations

import asyncio

import pytest
import redis
from asgiref.sync import sync_to_async

from community import live
from hearth import outages


class SlowLayer:
    """A channel layer whose sends wait until the test opens the gate."""

    def __init__(self, fail: bool = False) -> None:
        self.gate = asyncio.Event()
        self.sent: list[tuple[str, dict]] = []
        self.fail = fail

    async def group_send(self, group: str, event: dict) -> None:
        await self.gate.wait()
        if self.fail:
            raise redis.ConnectionError("Connection refused")
        self.sent.append((group, event))


@pytest.fixture
def slow_layer(monkeypatch):
    layer = SlowLayer()
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)
    outages.reset()
    yield layer
    outages.reset()


def _announce(count: int) -> str:
    for n in range(count):
        live._send_now("room-7", {"type": "chat.frame", "n": n})
    return "saved"


async def test_the_saving_thread_does_not_wait_for_the_send(slow_layer):
    # The old way the thread waited for each send; with the gate shut it never returned.
    done = await asyncio.wait_for(sync_to_async(_announce)(3), timeout=10)
    assert done == "saved"
    assert slow_layer.sent == []

    slow_layer.gate.set()
    while len(slow_layer.sent) < 3:
        await asyncio.sleep(0)
    assert [event["n"] for _, event in slow_layer.sent] == [0, 1, 2]


async def test_events_from_many_saves_leave_in_order(slow_layer):
    slow_layer.gate.set()
    for _ in range(5):
        await sync_to_async(_announce)(20)
    while len(slow_layer.sent) < 100:
        await asyncio.sleep(0)
    assert [event["n"] for _, event in slow_layer.sent] == list(range(20)) * 5


async def test_a_send_redis_refuses_opens_the_breaker_and_the_rest_are_not_tried(monkeypatch):
    layer = SlowLayer(fail=True)
    layer.gate.set()
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)
    outages.reset()
    try:
        await sync_to_async(_announce)(1)
        while not outages.is_down(outages.CHANNEL_LAYER):
            await asyncio.sleep(0)
        await sync_to_async(_announce)(1)  # not even handed over while Redis is away
        assert not outages.worth_trying(outages.CHANNEL_LAYER)
    finally:
        outages.reset()


def test_outside_an_event_loop_the_send_happens_before_the_call_returns(monkeypatch):
    layer = SlowLayer()
    layer.gate.set()
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)
    outages.reset()
    _announce(2)  # a management command, the task worker: nobody to hand it to
    assert [event["n"] for _, event in layer.sent] == [0, 1]


class BusyRoomLayer(SlowLayer):
    """Event 0 waits for ``first``; every later one for ``gate`` (a busy room)."""

    def __init__(self) -> None:
        super().__init__()
        self.first = asyncio.Event()

    async def group_send(self, group: str, event: dict) -> None:
        await (self.first if event["n"] == 0 else self.gate).wait()
        self.sent.append((group, event))


def _announce_from(start: int, count: int) -> None:
    for n in range(start, start + count):
        live._send_now("room-7", {"type": "chat.frame", "n": n})


async def test_a_closing_socket_waits_for_what_it_announced_not_for_what_came_after(
    monkeypatch,
):
    layer = BusyRoomLayer()
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)
    outages.reset()
    await sync_to_async(_announce_from)(0, 1)  # the closing socket's own message
    closing = asyncio.create_task(live.announcements_sent())
    await sync_to_async(_announce_from)(1, 3)  # the room goes on meanwhile
    layer.first.set()
    # The old wait lasted until the queue was empty, which a busy room never is.
    await asyncio.wait_for(closing, timeout=5)
    assert [event["n"] for _, event in layer.sent] == [0]
    layer.gate.set()
    while len(layer.sent) < 4:
        await asyncio.sleep(0)
    assert [event["n"] for _, event in layer.sent] == [0, 1, 2, 3]


async def test_an_announcement_that_goes_through_ends_the_outage(slow_layer, monkeypatch, caplog):
    """Once the breaker has let an announcement through and the layer took it, the log
    says the channel layer answers again (the watch that also says so only runs while
    sockets are open, and after a lost layer every socket has closed)."""
    monkeypatch.setattr(outages, "RETRY_SECONDS", 0.0)  # try again at once
    outages.report_down(outages.CHANNEL_LAYER, redis.ConnectionError("Connection refused"))
    slow_layer.gate.set()
    with caplog.at_level("WARNING", logger="hearth.outages"):
        await sync_to_async(_announce)(1)
        while not slow_layer.sent:
            await asyncio.sleep(0)
        await live.announcements_sent()
    assert not outages.is_down(outages.CHANNEL_LAYER)
    assert any("answers again" in r.getMessage() for r in caplog.records)


async def test_an_announcement_that_found_the_pool_busy_is_sent_again(monkeypatch, caplog):
    """In a reconnect storm the layer's pool can have no free connection for a while:
    the message was saved, and dropping its announcement meant the members who stayed
    connected never saw it live."""

    class BusyOnce:
        def __init__(self) -> None:
            self.tries = 0
            self.sent: list[dict] = []

        async def group_send(self, group: str, event: dict) -> None:
            self.tries += 1
            if self.tries == 1:
                raise redis.ConnectionError("No connection available.") from TimeoutError()
            self.sent.append(event)

    layer = BusyOnce()
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)
    outages.reset()
    with caplog.at_level("WARNING", logger="hearth.outages"):
        await sync_to_async(_announce)(2)
        async with asyncio.timeout(10):  # bounds a failing run only
            while len(layer.sent) < 2:
                await asyncio.sleep(0)
    assert [event["n"] for event in layer.sent] == [0, 1]  # sent again, still in order
    assert outages.worth_trying(outages.CHANNEL_LAYER)  # a busy pool is no outage
    assert any("busy" in r.getMessage() for r in caplog.records)
    outages.reset()
