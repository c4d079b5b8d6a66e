"""Dry-run the locustfile without a server: ``python -m bench.soak --check`` runs this.

Runs in the soak's own virtualenv (it imports locust). Every task of every user class
runs once against fakes that answer like Hearth does (a page with a CSRF token, a sign-out
form and reaction forms; 302 for a reply; ``ready``, ``ack`` and ``synced`` frames on the
socket, per docs/chat.md). It fails when a task fails or raises, when a request is named
outside the scenario list, when a page type of the list is never requested, or when the
sample seed and the declared seed keys drift apart.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from urllib.parse import urlsplit

from locust.env import Environment
from locust.exception import RescheduleTask
from requests.cookies import RequestsCookieJar

from bench.soak import locustfile
from bench.soak.scenarios import PAGE_TYPE_NAMES, SEED_KEYS

SAMPLE_SEED = {
    "sessions": [{"username": "bench0", "key": "s0"}, {"username": "bench1", "key": "s1"}],
    "logins": [{"email": "bench2@bench.invalid", "password": "bench-password"}],
    "categories": ["/forum/c/baking/"],
    "member_categories": ["/forum/c/members-kitchen/"],
    "topics": [{"id": 1, "url": "/forum/t/1-hello/", "pages": 1}],
    "member_topics": [{"id": 2, "url": "/forum/t/2-members/", "pages": 2}],
    "big_topic": {"id": 3, "url": "/forum/t/3-big/", "pages": 50},
    "guides": ["/guides/one/"],
    "blog_posts": ["/blog/one/"],
    "chat_rooms": [{"slug": "lobby", "public": True}, {"slug": "lounge", "public": False}],
    "referral_codes": ["abcd2345"],
    "search_terms": ["bread"],
}

PAGE = (
    '<form method="post" action="/accounts/logout/">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="token123"></form>'
    '<form class="reaction-form" method="post" action="/forum/p/7/react/"></form>'
)
_POSTS = {
    r"/forum/t/\d+/reply/": 302,
    r"/forum/p/\d+/react/": 200,
    r"/accounts/login/": 302,
    r"/accounts/logout/": 302,
}


class Problems(list):
    def add(self, text: str) -> None:
        self.append(text)


class FakeResponse:
    def __init__(self, status: int, text: str, record) -> None:
        self.status_code = status
        self.text = text
        self.headers = {"Location": "/"} if status == 302 else {}
        self.error = None
        self._record = record
        self._outcome: str | None = None

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc) -> bool:
        outcome = self._outcome
        self._record("neither success() nor failure() was called" if outcome is None else outcome)
        return False

    def success(self) -> None:
        self._outcome = ""

    def failure(self, text: str) -> None:
        self._outcome = text


class FakeHttp:
    """Answers like Hearth; refuses a POST without its CSRF token (403), as Django would."""

    def __init__(self, names: Counter, problems: Problems) -> None:
        self.cookies = RequestsCookieJar()
        self.names = names
        self.problems = problems

    def request(self, method: str, url: str, *, name: str, catch_response: bool, **kwargs):
        if not catch_response or kwargs.get("allow_redirects") is not False:
            self.problems.add(f"{name}: requests must use catch_response and not follow redirects")
        path = urlsplit(url).path
        status, text = 200, PAGE
        if method == "POST":
            status = next((s for pattern, s in _POSTS.items() if re.fullmatch(pattern, path)), 404)
            token = (kwargs.get("data") or {}).get("csrfmiddlewaretoken") or (
                kwargs.get("headers") or {}
            ).get("X-CSRFToken")
            if token != "token123":
                status = 403
            text = '<div class="reactions"><p class="reactions__status"></p></div>'
        elif path.startswith("/r/"):
            status, text = 302, ""

        def record(outcome: str) -> None:
            self.names[name] += 1
            if outcome:
                self.problems.add(f"{method} {path} ({name}): {outcome}")

        return FakeResponse(status, text, record)


class FakeSocket:
    """The chat protocol's answers to send, since and ping (docs/chat.md)."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.queue: list[str] = []
        self.last_id = 100
        self.open = False

    def __enter__(self) -> FakeSocket:
        self.open = True
        self._push(type="ready", can_send=True, refusal="", last_id=self.last_id)
        return self

    def __exit__(self, *exc) -> bool:
        self.open = False
        return False

    def _push(self, **frame) -> None:
        self.queue.append(json.dumps(frame))

    def _message(self) -> None:
        self.last_id += 1
        self._push(type="message", message={"id": self.last_id, "body": "hi"})

    def send(self, text: str) -> None:
        frame = json.loads(text)
        kind, ref = frame.get("type"), frame.get("ref", "")
        if not self.open:
            self.problems.add("sent on a closed socket")
        if not isinstance(ref, str) or len(ref) > 64:
            self.problems.add(f"{kind}: ref must be text of at most 64 characters")
        if kind == "send":
            body = frame.get("body")
            if not isinstance(body, str) or not 1 <= len(body) <= 2000:
                self.problems.add("send: body must be 1-2,000 characters")
            self._message()
            self._push(type="ack", ref=ref, id=self.last_id)
        elif kind == "since":
            if not isinstance(frame.get("after"), int):
                self.problems.add("since: after must be an integer")
            self._message()
            self._push(type="synced", last_id=self.last_id, more=False)
        elif kind == "ping":
            self._push(type="presence", count=1, members=[])
        else:
            self.problems.add(f"unexpected frame type {kind!r}")

    def recv(self, timeout: float | None = None) -> str:
        if not self.queue:
            raise TimeoutError
        return self.queue.pop(0)


def main() -> int:
    problems = Problems()
    if set(SAMPLE_SEED) != set(SEED_KEYS):
        problems.add(f"sample seed keys {sorted(SAMPLE_SEED)} != SEED_KEYS {sorted(SEED_KEYS)}")
    locustfile.SEED.clear()
    locustfile.SEED.update(SAMPLE_SEED)
    classes = [locustfile.Visitor, locustfile.Member, locustfile.SignIn, locustfile.Chatter]
    environment = Environment(user_classes=classes, host="http://127.0.0.1:9")
    names: Counter = Counter()

    def on_request(name, exception=None, **kwargs) -> None:
        names[name] += 1
        if exception:
            problems.add(f"{name}: {exception}")

    environment.events.request.add_listener(on_request)
    tasks = 0
    for cls in classes:
        cls.host = environment.host  # what --host does for a real run
        user = cls(environment)
        if hasattr(user, "client"):
            user.client = FakeHttp(names, problems)
        user.wait = lambda: None
        user.connect = lambda: FakeSocket(problems)
        user.on_start()
        for function in dict.fromkeys(cls.tasks):  # weighted lists repeat; run each once
            tasks += 1
            for _ in range(2):  # twice: the second chat visit asks `since`
                try:
                    function(user)
                except RescheduleTask:
                    problems.add(f"{cls.__name__}.{function.__name__} stopped early")
                except Exception as exc:
                    problems.add(f"{cls.__name__}.{function.__name__} raised {exc!r}")
    unknown = sorted(set(names) - set(PAGE_TYPE_NAMES))
    never = [name for name in PAGE_TYPE_NAMES if not names[name]]
    if unknown:
        problems.add(f"requests named outside scenarios.PAGE_TYPES: {unknown}")
    if never:
        problems.add(f"page types no task requested: {never}")
    for problem in problems:
        print(f"  FAIL {problem}")
    if problems:
        return 1
    print(
        f"  locustfile: {len(classes)} user classes, {tasks} tasks, "
        f"{len(PAGE_TYPE_NAMES)} page types all requested, {sum(names.values())} requests "
        "against the fakes, no failures"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
