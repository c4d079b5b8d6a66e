"""Driving the chat socket in tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from community.chat.routing import websocket_urlpatterns
from tests.sockets import recorded

chat_app = URLRouter(websocket_urlpatterns)


def communicator(room, user=None) -> WebsocketCommunicator:
    # Recorded: the root conftest closes it when the test ends, also on failure.
    comm = WebsocketCommunicator(chat_app, f"/ws/chat/{room.slug}/")
    comm.scope["user"] = user if user is not None else AnonymousUser()
    return recorded(comm)


async def receive_until(comm: WebsocketCommunicator, kind: str, timeout: float = 10) -> dict:
    """The next frame of type ``kind``, skipping others (presence, typing, ...). The
    timeout bounds the wait on a busy machine (PostgreSQL and Redis under a parallel
    suite); it is not a speed check."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        assert remaining > 0, f"no {kind!r} frame arrived"
        frame = await comm.receive_json_from(timeout=remaining)
        if frame["type"] == kind:
            return frame


async def close_code_after_handshake(comm: WebsocketCommunicator) -> int | None:
    """The application close code a refused socket gets right after the handshake, or
    None when the socket stays open. Refusals accept first and then close with the code,
    so the browser's script can read it (a refused handshake reaches it as 1006)."""
    connected, code = await comm.connect()
    assert connected, f"the handshake itself was refused with {code}"
    first = await comm.receive_output(timeout=5)
    if first["type"] == "websocket.close":
        return first["code"]
    await comm.disconnect()
    return None


async def open_socket(room, user=None) -> tuple[WebsocketCommunicator, dict]:
    comm = communicator(room, user)
    connected, code = await comm.connect()
    assert connected, f"handshake refused with {code}"
    ready = await receive_until(comm, "ready")
    return comm, ready


async def frames_until_quiet(comm: WebsocketCommunicator, quiet: float = 0.3) -> list[dict]:
    """Every frame until none arrives for ``quiet`` seconds (the socket stays open:
    a timed-out receive would cancel the application)."""
    frames = []
    while not await comm.receive_nothing(timeout=quiet):
        frames.append(await comm.receive_json_from())
    return frames


async def frames_through(comm: WebsocketCommunicator, kind: str, timeout: float = 10) -> list[dict]:
    """Every frame up to and including the first of type ``kind`` (the frame that ends
    what the test waits for, e.g. ``synced``), however long the server takes to send it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    frames: list[dict] = []
    while not frames or frames[-1]["type"] != kind:
        remaining = deadline - loop.time()
        assert remaining > 0, f"no {kind!r} frame arrived; got {[f['type'] for f in frames]}"
        frames.append(await comm.receive_json_from(timeout=remaining))
    return frames


async def frames_until(
    comm: WebsocketCommunicator, done: Callable[[list[dict]], bool], timeout: float = 10
) -> list[dict]:
    """Every frame until ``done(frames)`` holds (e.g. "11 acks and 1 error"), however long
    the server takes: for what arrives through two paths (direct replies and the room's
    broadcast) in no fixed order."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    frames: list[dict] = []
    while not done(frames):
        remaining = deadline - loop.time()
        assert remaining > 0, f"still waiting; got {[f['type'] for f in frames]}"
        frames.append(await comm.receive_json_from(timeout=remaining))
    return frames


def count(frames: list[dict], kind: str) -> int:
    return sum(1 for f in frames if f["type"] == kind)


async def wait_until(condition, *, timeout: float = 5, what: str = "the expected state") -> None:
    """Wait for ``condition()`` to hold (the state the test asserts), never for a time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)
