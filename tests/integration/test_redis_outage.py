"""Redis goes away and comes back (empty, as it keeps nothing on disk).

A Redis of the test's own is killed and restarted under real uvicorn processes:

- pages, sign-in, a forum reply and the chat form keep working without the cache, and
  /healthz says 503 naming what is down; the first socket after Redis returns opens;
- chat sockets on two processes in two rooms close with 4503 while Redis is down,
  reconnect with backoff when it is back, catch up with ``since``, and then every client
  receives every message, once: nothing saved during the outage is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re

import pytest
import requests
from asgiref.sync import sync_to_async

from community.chat import actions as chat_actions
from community.chat.models import ChatMessage
from tests.chat.factories import make_room
from tests.factories import PASSWORD
from tests.forum.factories import make_category, make_topic
from tests.integration.servers import (
    RedisServer,
    Uvicorn,
    open_chat,
    running,
    server_env,
    session_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CLOSE_UNAVAILABLE = 4503


@pytest.fixture
def private_redis(requires_redis, requires_postgres):
    redis = RedisServer()
    redis.start()
    yield redis
    redis.stop()


def _env(redis: RedisServer) -> dict[str, str]:
    return server_env(REDIS_URL=redis.url, CHANNEL_PREFIX="outage", CACHE_KEY_PREFIX="outage")


def _csrf_post(session: requests.Session, origin: str, page: str, url: str, data: dict):
    """Submit a form the way a browser does: read the page's token, post it back."""
    html = session.get(origin + page, timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return session.post(
        origin + url,
        data={"csrfmiddlewaretoken": token, **data},
        headers={"Referer": origin + page},
        allow_redirects=False,
        timeout=30,
    )


def test_pages_sign_in_and_forms_work_while_redis_is_down(private_redis, member):
    topic = make_topic(author=member, category=make_category(slug="baking"), title="Rye starters")
    room = make_room(slug="lobby")
    with running(Uvicorn(_env(private_redis))) as (server,):
        origin = server.origin
        assert requests.get(origin + "/healthz", timeout=30).status_code == 200
        private_redis.kill()

        visitor = requests.Session()
        for path in [
            "/",
            "/forum/",
            topic.get_absolute_url(),
            "/guides/",
            "/blog/",
            "/search/?q=rye",
            "/members/maya/",
            "/chat/",
            "/chat/lobby/",
            "/accounts/login/",
        ]:
            response = visitor.get(origin + path, timeout=30)
            assert response.status_code == 200, (path, response.status_code)

        signed_in = requests.Session()
        response = _csrf_post(
            signed_in,
            origin,
            "/accounts/login/",
            "/accounts/login/",
            {"login": member.email, "password": PASSWORD},
        )
        assert response.status_code == 302, response.text[:500]
        assert signed_in.get(origin + "/members/me/", timeout=30).status_code in (200, 302)

        response = _csrf_post(
            signed_in,
            origin,
            f"/forum/t/{topic.pk}/reply/",
            f"/forum/t/{topic.pk}/reply/",
            {"body": "Replying while the cache is away"},
        )
        assert response.status_code == 302, response.text[:500]
        assert topic.posts.filter(source="Replying while the cache is away").count() == 1
        # A member's pages read their rows afresh while nothing can be kept
        # (community/forum/topic_rows.py), the new reply among them.
        for path in ["/forum/", "/forum/c/baking/"]:
            assert signed_in.get(origin + path, timeout=30).status_code == 200, path
        assert (
            "Replying while the cache is away"
            in signed_in.get(origin + topic.get_absolute_url(), timeout=30).text
        )

        page = signed_in.get(origin + "/chat/lobby/", timeout=30).text
        ref = re.search(r'name="client_ref" value="([^"]+)"', page).group(1)
        form = {"body": "Chatting while Redis is away", "client_ref": ref}
        for _ in range(2):  # the member presses Send again: still one message
            response = _csrf_post(signed_in, origin, "/chat/lobby/", "/chat/lobby/send/", form)
            assert response.status_code == 302
        assert ChatMessage.objects.filter(room=room, body=form["body"]).count() == 1

        health = requests.get(origin + "/healthz", timeout=30)
        assert health.status_code == 503
        assert {"cache", "channel_layer"} <= set(health.json()["failed"])

        private_redis.start()  # same port, empty
        # The very first socket after Redis returns opens (no stale connection, no 500).
        ready = asyncio.run(_first_socket(server.port, room.slug))
        assert ready["type"] == "ready"
        assert requests.get(origin + "/healthz", timeout=30).status_code == 200
        # Rows kept again once Redis is back still show what was written while it was away.
        for _ in range(2):
            page = signed_in.get(origin + topic.get_absolute_url(), timeout=30).text
            assert "Replying while the cache is away" in page


async def _first_socket(port: int, slug: str) -> dict:
    from websockets.asyncio.client import connect

    async with connect(
        f"ws://127.0.0.1:{port}/ws/chat/{slug}/",
        additional_headers={"Origin": f"http://127.0.0.1:{port}"},
        open_timeout=20,
    ) as ws:
        async with asyncio.timeout(10):
            return json.loads(await ws.recv())


class ChatClient:
    """What chat.js does: connect, catch up with since, reconnect with backoff."""

    def __init__(self, name: str, port: int, slug: str, session: str | None) -> None:
        self.name, self.port, self.slug, self.session = name, port, slug, session
        self.received: dict[int, str] = {}
        self.duplicates: list[int] = []
        self.close_codes: list[int | None] = []
        self.last_id = 0
        self.synced = asyncio.Event()
        self.acks: dict[str, asyncio.Future] = {}
        self.ws = None
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task

    async def _run(self) -> None:
        from websockets.exceptions import ConnectionClosed

        attempts = 0
        while True:
            try:
                self.ws = await open_chat(self.port, self.slug, session=self.session)
            except (OSError, ConnectionClosed, TimeoutError, KeyError, Exception):
                attempts += 1
                await asyncio.sleep(random.uniform(0.2, min(2.0, 0.2 * 2**attempts)))
                continue
            attempts = 0
            try:
                await self.ws.send(json.dumps({"type": "since", "after": self.last_id}))
                async for raw in self.ws:
                    self._handle(json.loads(raw))
            except ConnectionClosed:
                pass
            self.synced.clear()
            self.close_codes.append(self.ws.close_code)
            await asyncio.sleep(random.uniform(0.1, 0.5))

    def _handle(self, frame: dict) -> None:
        if frame["type"] == "message":
            message = frame["message"]
            if message["id"] in self.received:
                self.duplicates.append(message["id"])
            self.received[message["id"]] = message["body"]
            self.last_id = max(self.last_id, message["id"])
        elif frame["type"] == "synced":
            self.synced.set()
        elif frame["type"] == "ack" and frame["ref"] in self.acks:
            self.acks.pop(frame["ref"]).set_result(frame["id"])

    async def send(self, body: str) -> int:
        """Send a message and wait for the server's ack: it is saved."""
        ref = f"r{random.random()}"
        acked = self.acks[ref] = asyncio.get_running_loop().create_future()
        await self.ws.send(json.dumps({"type": "send", "body": body, "ref": ref}))
        async with asyncio.timeout(10):
            return await acked


async def _all_synced(clients: list[ChatClient], seconds: float = 60) -> None:
    async with asyncio.timeout(seconds):
        await asyncio.gather(*(client.synced.wait() for client in clients))


async def _until(condition, seconds: float = 30) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.05)


async def test_chat_survives_a_redis_restart_across_two_processes(
    private_redis, member, other_member
):
    rooms = [await sync_to_async(make_room)(slug=slug) for slug in ("one", "two")]
    sessions = {
        "maya": await sync_to_async(session_of)(member),
        "sam": await sync_to_async(session_of)(other_member),
    }
    env = _env(private_redis)
    with running(Uvicorn(env), Uvicorn(env)) as servers:
        clients = [
            ChatClient(f"{who}@{server.port}/{room.slug}", server.port, room.slug, session)
            for server in servers
            for room in rooms
            for who, session in [("maya", sessions["maya"]), ("visitor", None)]
        ]
        by_room = {room.slug: [c for c in clients if c.slug == room.slug] for room in rooms}
        try:
            for client in clients:
                client.start()
            await _all_synced(clients)

            # Before: a message in each room reaches all four sockets of that room.
            for room in rooms:
                sender = next(c for c in by_room[room.slug] if c.session)
                await sender.send(f"before in {room.slug}")
            for room in rooms:
                await _until(lambda r=room: all(len(c.received) == 1 for c in by_room[r.slug]))

            private_redis.kill()
            await _until(lambda: all(c.close_codes for c in clients))
            assert {c.close_codes[0] for c in clients} == {CLOSE_UNAVAILABLE}

            # During: the plain form (the sockets are down) still saves, once.
            await sync_to_async(chat_actions.send_message)(
                room=rooms[0], author=other_member, body="during the outage"
            )

            private_redis.start()  # empty: every group membership is gone
            await _all_synced(clients)

            # After: every socket, on either process, gets what was sent while it was
            # away and everything sent from either process from now on.
            for room in rooms:
                for client in (c for c in by_room[room.slug] if c.session):
                    await client.send(f"after from {client.name}")
            for room in rooms:
                saved = await sync_to_async(
                    lambda r=room: dict(
                        ChatMessage.objects.filter(room=r).values_list("id", "body")
                    )
                )()
                assert len(saved) == (4 if room is rooms[0] else 3)
                await _until(lambda r=room, s=saved: all(c.received == s for c in by_room[r.slug]))
            assert not [c.name for c in clients if c.duplicates]
        finally:
            for client in clients:
                await client.stop()
