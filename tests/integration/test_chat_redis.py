"""Chat across real server processes on Redis.

Two uvicorn processes serve the whole ASGI application against the test database and
the test Redis (same channel-layer prefix as this test run). A message sent through
one reaches sockets held by the other; an idle socket still receives after 60 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client

from community.chat.models import ChatMessage
from tests.chat.factories import make_room

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env() -> dict[str, str]:
    env = {
        **os.environ,
        "HEARTH_TESTING": "true",
        "PYTEST_XDIST_WORKER": "",
        "LOG_LEVEL": "WARNING",
    }
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = db["NAME"]
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env["REDIS_URL"] = settings.REDIS_URL
    env["CHANNEL_PREFIX"] = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    env["CACHE_KEY_PREFIX"] = settings.CACHES["default"]["KEY_PREFIX"]
    return env


@pytest.fixture
def two_servers(requires_redis):
    env = _server_env()
    processes, ports = [], []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "hearth.asgi:application",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--ws",
                        "websockets-sansio",
                        "--lifespan",
                        "off",
                        "--log-level",
                        "warning",
                        "--no-access-log",
                    ],  # fmt: skip
                    cwd=ROOT,
                    env=env,
                )
            )
            ports.append(port)
        for port, process in zip(ports, processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, "a chat server process stopped during start-up"
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", port), 0.5),
                ):
                    break
                assert time.monotonic() < deadline, "a chat server did not start in 60 s"
                time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _open(port: int, room, session: str | None):
    from websockets.asyncio.client import connect

    headers = {"Origin": f"http://127.0.0.1:{port}"}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/chat/{room.slug}/", additional_headers=headers, open_timeout=20
    )
    await _next(ws, "ready")
    return ws


async def _next(ws, kind: str, timeout: float = 10) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


async def test_a_message_sent_through_one_process_reaches_sockets_on_the_other(
    two_servers, member, other_member
):
    port_a, port_b = two_servers
    room = await sync_to_async(make_room)(slug="lobby")
    maya_session = await sync_to_async(_session_of)(member)
    sam_session = await sync_to_async(_session_of)(other_member)
    maya = await _open(port_a, room, maya_session)
    sam = await _open(port_b, room, sam_session)
    visitor = await _open(port_b, room, None)
    try:
        await asyncio.sleep(0.5)  # both processes have subscribed to the room
        await maya.send(json.dumps({"type": "send", "body": "across processes", "ref": "x"}))
        for ws in (sam, visitor, maya):
            frame = await _next(ws, "message")
            assert frame["message"]["body"] == "across processes"
            assert frame["message"]["author"]["username"] == "maya"
        saved = await sync_to_async(ChatMessage.objects.get)()
        assert saved.body == "across processes"
        # And back the other way, from the process that only received so far.
        await sam.send(json.dumps({"type": "send", "body": "got it"}))
        assert (await _next(maya, "message"))["message"]["body"] == "got it"
    finally:
        for ws in (maya, sam, visitor):
            await ws.close()


async def test_an_idle_socket_still_receives_after_sixty_seconds(two_servers, member, other_member):
    port_a, port_b = two_servers
    room = await sync_to_async(make_room)(slug="quiet")
    sam = await _open(port_b, room, await sync_to_async(_session_of)(other_member))
    try:
        await asyncio.sleep(65)  # far past redis-py's 5 s idle read timeout
        maya = await _open(port_a, room, await sync_to_async(_session_of)(member))
        await asyncio.sleep(0.5)
        await maya.send(json.dumps({"type": "send", "body": "still there?"}))
        frame = await _next(sam, "message")
        assert frame["message"]["body"] == "still there?"
        await maya.close()
    finally:
        await sam.close()
