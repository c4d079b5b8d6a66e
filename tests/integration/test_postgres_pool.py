"""PostgreSQL connections stay bounded under uvicorn, whatever the traffic.

Two uvicorn worker processes, each with a pool of at most 4 connections, serve a few
thousand mixed page views (visitors and a member) and a hundred chat socket sessions;
a watcher counts the servers' connections in pg_stat_activity the whole time, and again
after a minute of quiet. Persistent connections (CONN_MAX_AGE) under ASGI leaked one
connection per request thread until PostgreSQL refused new clients.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
import time

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from community.chat import actions as chat_actions
from tests.chat.factories import make_room
from tests.forum.factories import make_category, make_reply, make_topic
from tests.integration.servers import (
    Uvicorn,
    database_url,
    http_get,
    next_frame,
    open_chat,
    running,
    server_env,
    session_of,
)

# Start-up, 2,400 requests, 100 sockets and a minute idle: more than the suite-wide
# 5 minutes on a busy 2-core machine is slow, not stuck.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(900)]

APPLICATION = "hearth-pool-test"
POOL_MAX = 4
WORKERS = 2
REQUESTS = int(os.environ.get("POOL_TEST_REQUESTS", 2400))
CONCURRENCY = 24
SOCKET_SESSIONS = int(os.environ.get("POOL_TEST_SOCKETS", 100))


class ConnectionWatcher(threading.Thread):
    """Counts the servers' connections (by application_name) every 50 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.samples = 0
        self._stopping = threading.Event()
        db = connection.settings_dict
        self._dsn = database_url().replace("postgres://", "postgresql://", 1)
        self._name = db["NAME"]

    def count(self) -> int:
        with psycopg.connect(self._dsn, autocommit=True) as conn:
            return conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [APPLICATION],
            ).fetchone()[0]

    def run(self) -> None:
        with psycopg.connect(self._dsn, autocommit=True) as conn:
            while not self._stopping.wait(0.05):
                (now,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    [APPLICATION],
                ).fetchone()
                self.peak = max(self.peak, now)
                self.samples += 1

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=5)


def _content(member, other):
    category = make_category(name="Baking", slug="baking")
    topic = make_topic(author=member, category=category, title="Rye starters")
    for n in range(5):
        make_reply(topic=topic, author=other, body=f"Reply number {n}")
    room = make_room(slug="lobby", name="Lobby")
    chat_actions.send_message(room=room, author=member, body="Hello, lobby")
    return topic, room


async def _page_views(port: int, paths: list[str], cookie: str) -> list[int]:
    statuses: list[int] = []
    queue = itertools.cycle(paths)
    lock = asyncio.Lock()
    remaining = REQUESTS

    async def worker(n: int) -> None:
        nonlocal remaining
        while True:
            async with lock:
                if remaining == 0:
                    return
                remaining -= 1
                path = next(queue)
            statuses.append(await http_get(port, path, cookie=cookie if n % 2 else None))

    await asyncio.gather(*(worker(n) for n in range(CONCURRENCY)))
    return statuses


async def _chat_sessions(port: int, slug: str, session: str) -> int:
    done = 0
    semaphore = asyncio.Semaphore(10)

    async def one(n: int) -> None:
        nonlocal done
        async with semaphore:
            ws = await open_chat(port, slug, session=session if n % 2 else None)
            try:
                if n % 2:
                    await ws.send(f'{{"type": "send", "body": "pool check {n}", "ref": "r"}}')
                    await next_frame(ws, "ack")
                await ws.send('{"type": "since", "after": 0}')
                await next_frame(ws, "synced")
                done += 1
            finally:
                await ws.close()

    await asyncio.gather(*(one(n) for n in range(SOCKET_SESSIONS)))
    return done


async def test_connections_stay_within_the_pools_under_load_and_after_idling(
    requires_postgres, member, other_member
):
    topic, room = await sync_to_async(_content)(member, other_member)
    session = await sync_to_async(session_of)(member)
    env = server_env(
        DATABASE_URL=database_url(application_name=APPLICATION),
        DATABASE_POOL_MIN_SIZE="1",
        DATABASE_POOL_MAX_SIZE=str(POOL_MAX),
    )
    bound = POOL_MAX * WORKERS
    paths = [
        "/",
        "/forum/",
        topic.get_absolute_url(),
        "/forum/c/baking/",
        "/chat/",
        "/chat/lobby/",
        "/members/maya/",
        "/search/?q=rye",
        "/healthz",
        "/blog/",
    ]
    watcher = ConnectionWatcher()
    with running(Uvicorn(env, workers=WORKERS)) as (server,):
        watcher.start()
        try:
            started = time.monotonic()
            async with asyncio.timeout(600):
                statuses, sessions = await asyncio.gather(
                    _page_views(server.port, paths, session),
                    _chat_sessions(server.port, room.slug, session),
                )
            elapsed = time.monotonic() - started
        finally:
            watcher.stop()
        assert len(statuses) == REQUESTS and sessions == SOCKET_SESSIONS
        failures = [s for s in statuses if not 200 <= s < 400]
        assert not failures, f"{len(failures)} failed requests, e.g. {failures[:5]}"
        assert watcher.samples > 20, f"only {watcher.samples} samples in {elapsed:.0f} s"
        assert 0 < watcher.peak <= bound, f"{watcher.peak} connections, more than {bound}"

        await asyncio.sleep(60)
        idle = await sync_to_async(watcher.count)()
        assert idle <= bound, f"{idle} connections after a minute idle, more than {bound}"
        # Still serving after the quiet minute (the pool checks connections it hands out).
        assert await http_get(server.port, topic.get_absolute_url()) == 200
