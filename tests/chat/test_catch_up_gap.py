"""A catch-up cut short is asked again from where the page had everything.

The page asks ``since`` the newest message it holds when its socket opens. A message
that arrives live on the new socket before the catch-up's answer is newer than the ones
the catch-up is about to bring; if the socket drops in between (a deploy restarting the
workers one after another), the next ``since`` must still start below the gap, or the
missed messages are never shown (found by bench/chat_fanout/stampede.py: clients that
reconnected twice during a rolling restart lost the messages of their first drop).

chat.js runs in headless Chromium against the room page Hearth renders; the socket is
played by the test (Playwright's WebSocket routing), so the drop lands exactly there.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from community.chat.actions import author_payload, message_payload
from community.chat.models import ChatMessage
from tests.chat.factories import make_room
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS

# Committed data: Playwright calls the route handler on another greenlet, whose database
# connection does not see a test transaction.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.slow]

WAIT_SECONDS = 20  # a busy machine: patient, not flaky
# Playwright's sync API keeps an event loop on the test thread; the ORM calls here are
# synchronous all the same (as in tests/e2e).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def chromium():
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
    except Exception as exc:
        playwright.stop()
        pytest.skip(f"Chromium would not start ({exc})")
    yield browser
    browser.close()
    playwright.stop()


def _serve_with_django(page, client: Client) -> None:
    """Every request of the page answered by Hearth (Django's test client; static
    files from the finders), so no server process is needed."""

    def answer(route, request):
        url = urlsplit(request.url)
        if url.path.startswith("/static/"):
            found = finders.find(url.path.removeprefix("/static/"))
            if found:
                route.fulfill(path=found)
            else:
                route.fulfill(status=404, body="")
            return
        response = client.get(url.path + (f"?{url.query}" if url.query else ""))
        route.fulfill(
            status=response.status_code,
            headers={"content-type": response.get("Content-Type", "text/html")},
            body=response.content,
        )

    page.route("http://hearth.test/**", answer)


def _wait(page, condition, what: str) -> None:
    """Wait for ``condition()`` (a state of the socket script), not for a time."""
    for _ in range(WAIT_SECONDS * 20):
        if condition():
            return
        page.wait_for_timeout(50)  # lets Playwright deliver the page's frames meanwhile
    raise AssertionError(f"timed out waiting for {what}")


def test_a_catch_up_cut_short_is_asked_again_from_below_the_gap(chromium, member, other_member):
    room = make_room(slug="lobby", name="Lobby")
    # Saved without the live broadcast: the socket here is the test's, not the server's.
    ChatMessage.objects.create(room=room, author=other_member, body="Morning all")
    client = Client()
    client.force_login(member)
    page = chromium.new_page()
    _serve_with_django(page, client)

    sockets = []  # one per connection the page opens
    frames: list[list[dict]] = []  # what the page sent on each

    def on_socket(ws) -> None:
        sockets.append(ws)
        sent: list[dict] = []
        frames.append(sent)
        ws.on_message(lambda text: sent.append(json.loads(text)))

    page.route_web_socket("ws://hearth.test/ws/chat/lobby/", on_socket)
    page.goto("http://hearth.test/chat/lobby/")
    rendered = int(page.locator("[data-chat-room]").get_attribute("data-last-id"))
    _wait(page, lambda: frames and frames[0], "the page's first catch-up")
    assert frames[0][0] == {"type": "since", "after": rendered, "ref": "since"}

    # Meanwhile Sam wrote twice: the page missed the first, the second comes in live on
    # the new socket before the catch-up answer, and then the socket drops.
    missed = ChatMessage.objects.create(room=room, author=other_member, body="You missed this")
    live = ChatMessage.objects.create(room=room, author=other_member, body="Live one")
    ready = {
        "type": "ready",
        "room": {"slug": "lobby", "name": "Lobby", "archived": False},
        "me": author_payload(member),
        "can_send": True,
        "refusal": "",
        "moderator": False,
        "last_id": live.pk,
        "present": {"count": 1, "members": [{"id": member.pk, "name": "Maya"}], "partial": False},
        "ping_seconds": 45,
    }
    sockets[0].send(json.dumps(ready))
    sockets[0].send(json.dumps({"type": "message", "message": message_payload(live)}))
    page.locator("[data-log]").get_by_text("Live one").wait_for(timeout=WAIT_SECONDS * 1000)
    sockets[0].close(code=4503)

    _wait(page, lambda: len(frames) > 1 and frames[1], "the catch-up on the next socket")
    # Not after the live message: the page does not have everything up to it yet.
    assert frames[1][0] == {"type": "since", "after": rendered, "ref": "since"}

    sockets[1].send(json.dumps(ready))
    sockets[1].send(json.dumps({"type": "message", "message": message_payload(missed)}))
    sockets[1].send(json.dumps({"type": "synced", "last_id": live.pk, "more": False}))
    page.locator("[data-log]").get_by_text("You missed this").wait_for(timeout=WAIT_SECONDS * 1000)
    bodies = page.locator("[data-log] [data-body]").all_inner_texts()
    assert bodies == ["Morning all", "You missed this", "Live one"]

    # Caught up: the next drop asks from the newest message.
    sockets[1].close(code=4503)
    _wait(page, lambda: len(frames) > 2 and frames[2], "the catch-up after a good one")
    assert frames[2][0] == {"type": "since", "after": live.pk, "ref": "since"}
    page.close()
