"""Hearth's soak: visitors, members, chatters and one person signing in, against 127.0.0.1.

Started by ``python -m bench.soak`` (``make bench-soak``) with the soak's own virtualenv:

    locust -f bench/soak/locustfile.py --headless --host http://127.0.0.1:PORT ...

Reads the seeder's seed.json (``SOAK_SEED``): session keys, topics, rooms, links. Every
request is named by its page type (bench/soak/scenarios.py), so the report reads per page
type. A request fails when its status or its content is not what a browser would get
(a reply that does not redirect to the new post, a socket that never acks).

- Visitor: reads the home page, the forum (index, categories, topic first pages, deep
  pages of the 1,000-post topic), guides, blog posts, a chat room's page, searches and
  follows members' referral links.
- Member: signed in through a session cookie the seeder made; reads topics (each page
  also loads the unread badge, as htmx does), replies with the page's CSRF token at most
  every 22 s (the forum allows one post per 20 s) and reacts to posts on the page.
- Chatter: opens /ws/chat/<room>/ like chat.js (same-origin Origin, session cookie),
  waits for ``ready``, sends messages timed until their ``ack``, and after each
  reconnect asks ``since`` its last seen id (docs/chat.md).
- SignIn (one user): signs in through the allauth form, reads a topic, signs out.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, User, between, task
from locust.exception import RescheduleTask
from websockets.sync.client import connect as ws_connect

from bench.soak.scenarios import SEED_KEYS

SEED: dict[str, Any] = {}
WS_TIMEOUT = 10.0  # seconds for `ready`, an `ack` or `synced` before the frame counts as failed
REPLY_EVERY = 22.0  # the forum allows one post per member per 20 s
PING_EVERY = 45.0  # chat.js pings this often to stay present
_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_REACT_RE = re.compile(r'action="/forum/p/(\d+)/react/"')
_FORM_ERROR_RE = re.compile(r'class="form-errors"[^>]*>(.*?)</div>', re.S)
_REACTION_ERROR_RE = re.compile(r'<span class="error">(.*?)</span>', re.S)
_TAG_RE = re.compile(r"<[^>]+>")
_WORDS = (  # noqa: SIM905 - easier to read than a list of 26 strings
    "flour water salt starter crumb crust oven proof fold shape score bake loaf rye "
    "butter sugar steam dough yeast honey oats seeds morning kitchen friends recipe"
).split()

_sessions = itertools.count()
_logins = itertools.count()


def seed() -> dict[str, Any]:
    """seed.json, read once per locust process."""
    if not SEED:
        default = Path(__file__).parent / "results" / "seed.json"
        path = Path(os.environ.get("SOAK_SEED") or default)
        data = json.loads(path.read_text())
        missing = [key for key in SEED_KEYS if key not in data]
        if missing:
            raise RuntimeError(f"{path} lacks {', '.join(missing)}: run the seeder again")
        SEED.update(data)
    return SEED


def _words(low: int, high: int) -> str:
    return " ".join(random.choice(_WORDS) for _ in range(random.randint(low, high)))


def _text(html: str) -> str:
    return " ".join(_TAG_RE.sub(" ", html).split())[:160]


class Skip(RescheduleTask):
    """This step failed and was reported; the rest of the task is skipped."""


# --- HTTP ------------------------------------------------------------------------------


class _Pages:
    """Requests named by page type, judged by status and content (redirects not followed)."""

    client: Any

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)

    def fetch(
        self,
        method: str,
        url: str,
        name: str,
        *,
        expect: tuple[int, ...] = (200,),
        judge: Callable[[Any], str] | None = None,
        **kwargs,
    ):
        """The response, or Skip after reporting why it is not what a browser would get.

        ``judge`` reads the response and says what is wrong with it ("" when nothing is).
        """
        with self.client.request(
            method, url, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            error = ""
            if response.status_code not in expect:
                error = f"HTTP {response.status_code} (expected {'/'.join(map(str, expect))})"
                if response.status_code == 0:
                    error += f": {response.error}"
                elif location := response.headers.get("Location"):
                    error += f" to {location}"
                elif match := _FORM_ERROR_RE.search(response.text or ""):
                    error += f": {_text(match.group(1))}"
            elif judge is not None:
                error = judge(response)
            if error:
                response.failure(error)
            else:
                response.success()
        if error:
            raise Skip
        return response


class Visitor(_Pages, HttpUser):
    weight = 6
    wait_time = between(1, 4)

    @task(3)
    def home(self) -> None:
        self.fetch("GET", "/", "home")

    @task(3)
    def forum_index(self) -> None:
        self.fetch("GET", "/forum/", "forum index")

    @task(3)
    def category(self) -> None:
        self.fetch("GET", random.choice(seed()["categories"]), "category")

    @task(6)
    def topic_first_page(self) -> None:
        self.fetch("GET", random.choice(seed()["topics"])["url"], "topic p1")

    @task(4)
    def topic_deep_page(self) -> None:
        big = seed()["big_topic"]
        page = random.randint(2, max(2, big["pages"]))
        self.fetch("GET", f"{big['url']}?page={page}", "topic deep page")

    @task(2)
    def guide(self) -> None:
        self.fetch("GET", random.choice(seed()["guides"]), "guide")

    @task(2)
    def blog_post(self) -> None:
        self.fetch("GET", random.choice(seed()["blog_posts"]), "blog post")

    @task(2)
    def search(self) -> None:
        term = random.choice(seed()["search_terms"])
        self.fetch("GET", "/search/", "search", params={"q": term})

    @task(1)
    def chat_room_page(self) -> None:
        rooms = [room for room in seed()["chat_rooms"] if room["public"]]
        self.fetch("GET", f"/chat/{random.choice(rooms)['slug']}/", "chat room page")

    @task(2)
    def referral_link(self) -> None:
        code = random.choice(seed()["referral_codes"])
        self.fetch("GET", f"/r/{code}/", "referral link", expect=(302,))


def _signed_in(response) -> str:
    if "/accounts/logout/" in response.text:
        return ""
    return "not signed in (no sign-out form on the page)"


def _reaction_taken(response) -> str:
    match = _REACTION_ERROR_RE.search(response.text)
    return f"refused: {_text(match.group(1))}" if match else ""


def _home_after_sign_in(response) -> str:
    where = response.headers.get("Location", "")
    return "" if where == "/" else f"signed in but sent to {where!r} instead of /"


def _csrf(html: str) -> str:
    match = _CSRF_RE.search(html)
    return match.group(1) if match else ""


class _SignedIn(_Pages):
    def page(self, url: str, name: str) -> str:
        """A signed-in page, then the unread badge its htmx loads right after."""
        html = self.fetch("GET", url, name, judge=_signed_in).text
        self.fetch("GET", "/chat/unread/", "unread badge", headers={"HX-Request": "true"})
        return html


class Member(_SignedIn, HttpUser):
    weight = 3
    wait_time = between(2, 6)

    def on_start(self) -> None:
        sessions = seed()["sessions"]
        self.account = sessions[next(_sessions) % len(sessions)]
        self.client.cookies.set("sessionid", self.account["key"])
        self.last_reply = 0.0

    def _any_topic(self) -> dict:
        data = seed()
        roll = random.random()
        if roll < 0.25:
            return data["big_topic"]
        if roll < 0.4:
            return random.choice(data["member_topics"])
        return random.choice(data["topics"])

    def _topic_url(self, topic: dict) -> str:
        # Members mostly land on the last page of a long topic, where the new posts are.
        if topic["pages"] > 1 and random.random() < 0.7:
            return f"{topic['url']}?page={topic['pages']}"
        return topic["url"]

    @task(6)
    def read_topic(self) -> None:
        self.page(self._topic_url(self._any_topic()), "topic (member)")

    @task(1)
    def members_category(self) -> None:
        self.page(random.choice(seed()["member_categories"]), "members category")

    @task(2)
    def reply(self) -> None:
        if time.monotonic() - self.last_reply < REPLY_EVERY:
            self.read_topic()
            return
        topic = self._any_topic()
        html = self.page(self._topic_url(topic), "topic (member)")
        self.last_reply = time.monotonic()
        body = f"{_words(6, 40).capitalize()}.\n\n{_words(4, 20)}."
        self.fetch(
            "POST",
            f"/forum/t/{topic['id']}/reply/",
            "reply",
            expect=(302,),
            data={"body": body, "csrfmiddlewaretoken": _csrf(html)},
        )

    @task(3)
    def react(self) -> None:
        html = self.page(self._topic_url(self._any_topic()), "topic (member)")
        posts = _REACT_RE.findall(html)
        if not posts:  # every post on the page is the member's own
            return
        self.fetch(
            "POST",
            f"/forum/p/{random.choice(posts)}/react/",
            "react",
            judge=_reaction_taken,
            data={"kind": random.choice(["like", "heart", "laugh", "celebrate", "insightful"])},
            headers={"HX-Request": "true", "X-CSRFToken": _csrf(html)},
        )


class SignIn(_SignedIn, HttpUser):
    """One person at a time signs in with the form (allauth allows 30 a minute per address)."""

    fixed_count = 1
    wait_time = between(8, 15)

    @task
    def sign_in_read_sign_out(self) -> None:
        logins = seed()["logins"]
        account = logins[next(_logins) % len(logins)]
        self.client.cookies.clear()
        html = self.fetch("GET", "/accounts/login/", "sign-in page").text
        self.fetch(
            "POST",
            "/accounts/login/",
            "sign in",
            expect=(302,),
            judge=_home_after_sign_in,
            data={
                "login": account["email"],
                "password": account["password"],
                "csrfmiddlewaretoken": _csrf(html),
            },
        )
        html = self.page(random.choice(seed()["topics"])["url"], "topic (member)")
        self.fetch(
            "POST",
            "/accounts/logout/",
            "sign out",
            expect=(302,),
            data={"csrfmiddlewaretoken": _csrf(html)},
        )


# --- chat over the websocket -----------------------------------------------------------


class Chatter(User):
    """A member in a chat room: a visit of 8-16 messages, then away, then back with `since`."""

    weight = 2
    wait_time = between(2, 5)

    def on_start(self) -> None:
        sessions = seed()["sessions"]
        self.account = sessions[next(_sessions) % len(sessions)]
        self.room = random.choice(seed()["chat_rooms"])["slug"]
        self.last_id: int | None = None
        parts = urlsplit(self.host)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.url = f"{scheme}://{parts.netloc}/ws/chat/{self.room}/"

    def connect(self):
        """The socket (a context manager); ``--check`` swaps in a fake."""
        return ws_connect(
            self.url,
            additional_headers={
                "Origin": self.origin,
                "Cookie": f"sessionid={self.account['key']}",
            },
            compression=None,  # like the production setting (no per-message deflate)
            max_queue=None,  # frames from others queue up while this user "thinks"
            max_size=2**20,
            open_timeout=WS_TIMEOUT,
            ping_interval=None,
        )

    def report(self, name: str, started: float, *, length: int = 0, error: str = "") -> None:
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=length,
            exception=RuntimeError(error) if error else None,
            context={},
        )

    def _frames(self, ws, deadline: float) -> Iterator[tuple[dict, int]]:
        """Frames until ``deadline``, noting the newest message id on the way."""
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return
            try:
                text = ws.recv(timeout=remaining)
            except TimeoutError:
                return
            frame = json.loads(text)
            if frame.get("type") == "message":
                self.last_id = max(self.last_id or 0, frame["message"]["id"])
            yield frame, len(text)

    def _drain(self, ws) -> None:
        for _ in self._frames(ws, time.perf_counter() + 0.001):
            pass

    def _await(
        self, ws, name: str, done: Callable[[dict], bool], *, ref: str, started: float
    ) -> dict:
        """The first frame ``done`` accepts; an error frame for ``ref`` fails it."""
        try:
            for frame, length in self._frames(ws, started + WS_TIMEOUT):
                if done(frame):
                    self.report(name, started, length=length)
                    return frame
                if frame.get("type") == "error" and frame.get("ref") == ref:
                    self.report(name, started, error=f"{frame.get('code')}: {frame.get('message')}")
                    raise Skip
        except Skip:
            raise
        except Exception as exc:  # the socket closed under us: say how
            self.report(name, started, error=f"{type(exc).__name__}: {exc}")
            raise Skip from exc
        self.report(name, started, error=f"nothing in {WS_TIMEOUT:g} s")
        raise Skip

    @contextmanager
    def _socket(self):
        started = time.perf_counter()
        try:
            connection = self.connect()
        except Exception as exc:
            self.report("ws connect", started, error=f"{type(exc).__name__}: {exc}")
            raise Skip from exc
        with connection as ws:
            ready = self._await_ready(ws, started)
            if self.last_id is None:
                self.last_id = ready.get("last_id") or 0
            yield ws

    def _await_ready(self, ws, started: float) -> dict:
        try:
            for frame, length in self._frames(ws, started + WS_TIMEOUT):
                if frame.get("type") == "ready":
                    if not frame.get("can_send"):
                        error = f"ready but may not send: {frame.get('refusal')}"
                        self.report("ws connect", started, error=error)
                        raise Skip
                    self.report("ws connect", started, length=length)
                    return frame
        except Skip:
            raise
        except Exception as exc:  # closed with a code (4403, 4503...) instead of `ready`
            self.report("ws connect", started, error=f"{type(exc).__name__}: {exc}")
            raise Skip from exc
        self.report("ws connect", started, error=f"no ready in {WS_TIMEOUT:g} s")
        raise Skip

    def _ask(self, ws, name: str, frame: dict, done: Callable[[dict], bool]) -> None:
        """Send ``frame`` (with a fresh ref) and time it until ``done`` says so."""
        started = time.perf_counter()
        ref = frame["ref"] = uuid.uuid4().hex[:16]
        try:
            self._drain(ws)  # what others said meanwhile
            started = time.perf_counter()
            ws.send(json.dumps(frame))
        except Exception as exc:  # the server closed the socket (1013, 4503, ...)
            self.report(name, started, error=f"{type(exc).__name__}: {exc}")
            raise Skip from exc
        self._await(
            ws, name, lambda f: done(f) and f.get("ref", ref) == ref, ref=ref, started=started
        )

    def _send(self, ws) -> None:
        body = {"type": "send", "body": _words(3, 20)}
        self._ask(ws, "ws send->ack", body, lambda f: f.get("type") == "ack")

    def _since(self, ws, after: int) -> None:
        frame = {"type": "since", "after": after}
        self._ask(ws, "ws since", frame, lambda f: f.get("type") == "synced")

    @task
    def visit_room(self) -> None:
        seen_before = self.last_id
        try:
            with self._socket() as ws:
                if seen_before is not None:
                    self._since(ws, seen_before)
                pinged = time.monotonic()
                for _ in range(random.randint(8, 16)):
                    self._send(ws)
                    if time.monotonic() - pinged > PING_EVERY:
                        ws.send(json.dumps({"type": "ping"}))
                        pinged = time.monotonic()
                    self.wait()
        except Skip:
            pass
