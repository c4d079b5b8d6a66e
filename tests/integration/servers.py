"""Real server processes for integration tests: uvicorn serving Hearth, and Redis.

Everything listens on 127.0.0.1 on a free port; the servers use this test run's database
and key prefixes, so what the test writes they read and the other way round.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process is not None:
            assert process.poll() is None, f"the process for port {port} stopped during start-up"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        assert time.monotonic() < deadline, f"nothing answered on port {port} in {seconds} s"
        time.sleep(0.1)


def database_url(**options: str) -> str:
    """The test database as a DATABASE_URL, for a server process."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if options:
        url += "?" + "&".join(f"{key}={value}" for key, value in options.items())
    return url


def server_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "HEARTH_TESTING": "true",
        "PYTEST_XDIST_WORKER": "",
        "LOG_LEVEL": "WARNING",
    }
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = connection.settings_dict["NAME"]
    else:
        env["DATABASE_URL"] = database_url()
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
        env["CHANNEL_PREFIX"] = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
        env["CACHE_KEY_PREFIX"] = settings.CACHES["default"]["KEY_PREFIX"]
    env.update(overrides)
    return env


class Uvicorn:
    """``uvicorn hearth.asgi:application`` as production runs it, on a free port."""

    def __init__(self, env: dict[str, str], *, workers: int = 1) -> None:
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> Uvicorn:
        command = [
            sys.executable, "-m", "uvicorn", "hearth.asgi:application",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--ws", "websockets-sansio", "--ws-max-size", "16384",
            "--ws-per-message-deflate", "false",
            "--lifespan", "off", "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        # Its own process group, so stop() also ends the worker processes.
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
        wait_for_port(self.port, self.process)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def running(*servers: Uvicorn) -> Iterator[tuple[Uvicorn, ...]]:
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


class RedisServer:
    """A redis-server of the test's own, to kill and restart (nothing kept on disk)."""

    def __init__(self) -> None:
        # Checked before anything is made, so a machine without Redis skips the test
        # (from its fixture or its body) instead of failing it.
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip(
                "redis-server is not installed: these tests start and kill a Redis of their "
                "own (apt-get install redis-server, or brew install redis)"
            )
        self.binary = binary
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="hearth-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.directory,
                "--loglevel",
                "warning",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, seconds=20)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def http_get(port: int, path: str, *, cookie: str | None = None, timeout: float = 60) -> int:
    """One GET over a fresh connection; the status code (0 when the connection failed)."""
    try:
        async with asyncio.timeout(timeout):
            return await _get(port, path, cookie)
    except TimeoutError:
        raise AssertionError(f"GET {path} got no answer in {timeout} s") from None


async def _get(port: int, path: str, cookie: str | None) -> int:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return 0
    headers = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    if cookie:
        headers += f"Cookie: {settings.SESSION_COOKIE_NAME}={cookie}\r\n"
    try:
        writer.write((headers + "\r\n").encode())
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # the whole response, until the server closes
    except OSError:
        return 0
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    parts = status_line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


async def open_chat(port: int, slug: str, *, session: str | None = None):
    """A chat socket that has received its ``ready`` frame."""
    from websockets.asyncio.client import connect

    headers = {"Origin": f"http://127.0.0.1:{port}"}
    if session:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session}"
    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/chat/{slug}/", additional_headers=headers, open_timeout=20
    )
    await next_frame(ws, "ready")
    return ws


async def next_frame(ws, kind: str, timeout: float = 30) -> dict:
    # A bound on waiting for the frame, not a speed check: a busy 2-core machine under a
    # load test can take several seconds to answer.
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame
