"""hearth.layers.RedisChannelLayer: a receive that ends never costs another channel a message.

Every socket of a server process receives on a channel of its own, and all of them (and
the room hubs) are read through one Redis list per process. In channels_redis 4.3 the
receive that happens to hold the read lock pops the next message (BZPOPMIN) for whichever
channel it is meant; if that receive is cancelled, because its socket closed, while the
popped message is on its way back from Redis, the message is lost for its real channel: a
room hub's frame missed by every socket of the process (bench/chat_fanout/SCALE.md).
"""

from __future__ import annotations

import asyncio
import threading

import pytest
import redis
from django.conf import settings
from redis.exceptions import TimeoutError as RedisTimeoutError

from hearth import layers
from hearth.layers import RedisChannelLayer
from tests.integration.test_channel_layer_watch import dry_pool

pytestmark = pytest.mark.usefixtures("requires_redis")

# Bounds a failing run only; a passing run returns as soon as the state is there.
DEADLINE = 5.0


def _layer(prefix: str) -> RedisChannelLayer:
    return RedisChannelLayer(
        hosts=[{"address": settings.REDIS_URL}], prefix=prefix, watch_seconds=3600
    )


def _send_from_another_process(prefix: str, channel: str, message: dict) -> None:
    """Send as another server process would, while this test's event loop stands still
    (so no task of it can read Redis's answer in between)."""

    async def send() -> None:
        sender = _layer(prefix)
        await sender.send(channel, message)
        await sender.close_pools()

    thread = threading.Thread(target=asyncio.run, args=(send(),))
    thread.start()
    thread.join()


def _blocked_reads(client: redis.Redis) -> int:
    return sum(1 for c in client.client_list() if c.get("cmd") == "bzpopmin" and "b" in c["flags"])


async def _until(condition) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while not condition():
        assert loop.time() < end, "the state never came"
        await asyncio.sleep(0.01)


async def test_a_socket_closing_mid_read_does_not_lose_the_hubs_message(prefix):
    client = redis.Redis.from_url(settings.REDIS_URL)
    layer = _layer(prefix)
    socket_channel = await layer.new_channel()
    hub_channel = await layer.new_channel()
    before = _blocked_reads(client)
    socket_receive = asyncio.create_task(layer.receive(socket_channel))
    hub_receive = asyncio.create_task(layer.receive(hub_channel))
    await _until(lambda: _blocked_reads(client) > before)  # the process is reading Redis

    # A message for the hub; Redis hands it to the waiting read at once. The loop stands
    # still until Redis has (the process's list is empty again), then the socket closes.
    _send_from_another_process(prefix, hub_channel, {"type": "chat.frame", "frame": "hello"})
    process_list = f"{prefix}specific.{layer.client_prefix}!"
    end = asyncio.get_running_loop().time() + DEADLINE
    while client.zcard(process_list) and asyncio.get_running_loop().time() < end:
        pass  # blocking on purpose: no task of this loop may run yet
    socket_receive.cancel()

    message = await asyncio.wait_for(hub_receive, DEADLINE)
    assert message == {"type": "chat.frame", "frame": "hello"}
    with pytest.raises(asyncio.CancelledError):
        await socket_receive
    await layer.close_pools()


async def test_many_sockets_closing_while_the_hub_receives_lose_nothing(prefix):
    """The deploy-time shape: sockets come and go while the room's messages flow."""
    layer = _layer(prefix)
    hub_channel = await layer.new_channel()
    received: list[int] = []

    async def hub() -> None:
        while len(received) < 200:
            received.append((await layer.receive(hub_channel))["n"])

    hub_task = asyncio.create_task(hub())
    sender = _layer(prefix)
    for n in range(200):
        sockets = [asyncio.create_task(layer.receive(await layer.new_channel())) for _ in range(3)]
        await asyncio.sleep(0)
        await sender.send(hub_channel, {"type": "chat.frame", "n": n})
        await asyncio.sleep(0)
        for task in sockets:
            task.cancel()
    await asyncio.wait_for(hub_task, DEADLINE * 4)
    assert received == list(range(200))
    await sender.close_pools()
    await layer.close_pools()


async def test_what_arrives_for_a_closed_socket_is_dropped_not_kept(prefix):
    layer = _layer(prefix)
    gone = await layer.new_channel()
    alive = await layer.new_channel()
    receiving = asyncio.create_task(layer.receive(gone))
    await asyncio.sleep(0)
    receiving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await receiving
    await layer.send(gone, {"type": "late"})
    await layer.send(alive, {"type": "kept"})
    assert await asyncio.wait_for(layer.receive(alive), DEADLINE) == {"type": "kept"}
    assert gone not in layer._buffered  # nothing piles up for a socket that left
    await layer.close_pools()


async def test_two_receives_on_one_channel_get_one_message_each_first_come_first(prefix):
    layer = _layer(prefix)
    channel = await layer.new_channel()
    first = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    second = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    await layer.send(channel, {"type": "one"})
    await layer.send(channel, {"type": "two"})
    assert await asyncio.wait_for(first, DEADLINE) == {"type": "one"}
    assert await asyncio.wait_for(second, DEADLINE) == {"type": "two"}
    await layer.close_pools()


async def test_messages_nobody_waited_for_yet_wait_in_order(prefix):
    layer = _layer(prefix)
    channel = await layer.new_channel()
    other = await layer.new_channel()
    receiving = asyncio.create_task(layer.receive(other))  # starts the process's reader
    for n in range(3):
        await layer.send(channel, {"type": "n", "n": n})
    await layer.send(other, {"type": "last"})
    assert await asyncio.wait_for(receiving, DEADLINE) == {"type": "last"}
    got = [(await asyncio.wait_for(layer.receive(channel), DEADLINE))["n"] for _ in range(3)]
    assert got == [0, 1, 2]
    assert channel not in layer._buffered
    await layer.close_pools()


async def test_one_of_two_receives_ending_leaves_the_other_waiting(prefix):
    layer = _layer(prefix)
    channel = await layer.new_channel()
    leaving = asyncio.create_task(layer.receive(channel))
    staying = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    await layer.send(channel, {"type": "still here"})
    assert await asyncio.wait_for(staying, DEADLINE) == {"type": "still here"}
    await layer.close_pools()


async def test_a_redis_that_does_not_answer_fails_the_waiting_receive(prefix):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from tests.integration.servers import free_port

    layer = RedisChannelLayer(
        hosts=[{"address": f"redis://127.0.0.1:{free_port()}/0"}], prefix=prefix
    )
    with pytest.raises(RedisConnectionError):
        await asyncio.wait_for(layer.receive(await layer.new_channel()), DEADLINE)
    await layer.close_pools()


def _late_answers(layer: RedisChannelLayer, monkeypatch, how_many: int, lateness=None) -> list[int]:
    """Make the process's reader's first ``how_many`` reads late, as connecting to Redis
    is when the event loop is too busy to run the connect within a second."""
    monkeypatch.setattr(layers, "READ_RETRY_SECONDS", 0.01)
    original = layer.receive_single
    calls = [0]

    async def late(channel):
        calls[0] += 1
        if calls[0] <= how_many:
            raise (lateness or (lambda: RedisTimeoutError("Timeout connecting to server")))()
        return await original(channel)

    monkeypatch.setattr(layer, "receive_single", late)
    return calls


@pytest.mark.parametrize("lateness", [None, dry_pool], ids=["connect", "pool"])
async def test_a_late_answer_does_not_fail_the_processs_waiting_receives(
    prefix, monkeypatch, lateness
):
    """10,000 idle sockets on one process: once, connecting to Redis for the next read
    took longer than a second on the busy event loop. The reader handed that timeout to
    every waiting receive, which closed every socket of the process at once
    (bench/chat_fanout/SCALE.md). A late answer (or no free connection in the pool
    within its timeout) is read again instead."""
    layer = _layer(prefix)
    calls = _late_answers(layer, monkeypatch, layers.SLOW_ANSWERS_TOLERATED, lateness)
    channel = await layer.new_channel()
    receiving = asyncio.create_task(layer.receive(channel))
    await _until(lambda: calls[0] > layers.SLOW_ANSWERS_TOLERATED)  # reading again
    assert not receiving.done()
    await layer.send(channel, {"type": "still here"})
    assert await asyncio.wait_for(receiving, DEADLINE) == {"type": "still here"}
    await layer.close_pools()


async def test_redis_late_too_many_times_in_a_row_fails_the_waiting_receives(prefix, monkeypatch):
    layer = _layer(prefix)
    _late_answers(layer, monkeypatch, layers.SLOW_ANSWERS_TOLERATED + 1)
    with pytest.raises(TimeoutError, match="no answer 4 times in a row"):
        await asyncio.wait_for(layer.receive(await layer.new_channel()), DEADLINE)
    await layer.close_pools()


async def test_a_late_answer_while_clearing_a_read_message_does_not_bring_it_back(
    prefix, monkeypatch
):
    """After each pop, channels_redis clears the message's backup copy in a task nobody
    awaits. When that answer came late (the 10,000-socket run), the log got "Task
    exception was never retrieved" and the copy stayed, to be handed out again by the
    next read: a room's frame twice on every socket of the process."""
    monkeypatch.setattr(layers, "READ_RETRY_SECONDS", 0.01)
    layer = _layer(prefix)
    redis_client = layer.connection(0)
    clear = redis_client.zpopmin
    calls = [0]

    async def late_once(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 1:
            raise RedisTimeoutError("Timeout connecting to server")
        return await clear(*args, **kwargs)

    monkeypatch.setattr(redis_client, "zpopmin", late_once)
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "once"})
    assert await asyncio.wait_for(layer.receive(channel), DEADLINE) == {"type": "once"}
    await layer.send(channel, {"type": "next"})
    assert await asyncio.wait_for(layer.receive(channel), DEADLINE) == {"type": "next"}
    await layer.close_pools()
