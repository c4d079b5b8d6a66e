"""Browser journeys: a real ASGI server (Daphne, websockets included) and headless Chromium.

The server runs in a forked process against the test database (a file, so both
processes see it); tests use ``transactional_db`` so what they create is committed and
visible to it. Emails go to files in a temporary outbox the test can read.

Chromium is Debian's /usr/bin/chromium driven by Playwright for Python; no browser is
ever downloaded. Where it is missing the journeys skip and say why.
"""

from __future__ import annotations

import email
import os
import re
import shutil
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]

# Playwright's sync API keeps an event loop on the test thread between calls; Django's
# ORM refuses to run on a thread with a loop unless told it is safe (it is: the test
# itself is synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop marked as running on this
    # thread while it is started, which breaks any async test that runs after it.
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        pytest.skip(
            f"Browser journeys skipped: Chromium is not installed at {CHROMIUM} "
            "(apt-get install chromium; .ci/run does this)."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Browser journeys skipped: Playwright for Python is not installed.")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
    except Exception as exc:  # a broken Chromium install: say so, do not fail the suite
        playwright.stop()
        pytest.skip(f"Browser journeys skipped: Chromium would not start ({exc}).")
    yield browser
    browser.close()
    playwright.stop()


@dataclass
class LiveServer:
    url: str
    ws_url: str
    outbox: Path

    def emails(self) -> list[email.message.Message]:
        messages = []
        if not self.outbox.exists():
            return messages
        for path in sorted(self.outbox.iterdir(), key=lambda p: p.stat().st_mtime):
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    messages.append(email.message_from_string(chunk.strip()))
        return messages

    def emails_to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.emails() if address in (m.get("To") or "")]

    def link_in_last_email_to(self, address: str, pattern: str) -> str:
        found = self.emails_to(address)
        assert found, f"no email was sent to {address}"
        message = found[-1]
        if message.is_multipart():
            body = "".join(
                part.get_payload(decode=True).decode()
                for part in message.walk()
                if part.get_content_type() == "text/plain"
            )
        else:
            body = message.get_payload(decode=True).decode()
        match = re.search(pattern, body)
        assert match, f"no link matching {pattern!r} in: {body}"
        return match.group(0)


def _fresh_thread_executor() -> None:
    """Runs in the forked server process before it serves.

    asgiref runs thread-sensitive sync code (sessions, the ORM in consumers) on one
    shared executor thread. If earlier async tests started that thread, the fork
    inherits an executor whose thread does not exist in the child, and every websocket
    handshake hangs. Give the child its own.
    """
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)


@pytest.fixture
def asgi_server(django_db_serialized_rollback, transactional_db, settings, tmp_path):
    """A Daphne server process on a free port serving the whole ASGI application."""
    from channels.testing.live import make_application
    from daphne.testing import DaphneProcess
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connections

    if connections["default"].vendor == "sqlite" and connections["default"].is_in_memory_db():
        pytest.skip("Browser journeys need a file or server database, not SQLite in memory.")

    outbox = tmp_path / "outbox"
    outbox.mkdir()
    # Emails are queued (hearth.mail.QueueingBackend) and the task delivers them here.
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(outbox)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1", "localhost"]

    # The server is a fork of this process: it must not inherit a channel layer whose
    # queues belong to event loops of earlier tests.
    from channels.layers import channel_layers

    channel_layers.backends = {}

    process = DaphneProcess(
        "127.0.0.1",
        partial(make_application, static_wrapper=ASGIStaticFilesHandler),
        setup=_fresh_thread_executor,
    )
    process.start()
    while not process.ready.wait(timeout=1):
        if not process.is_alive():
            raise RuntimeError("The test server process stopped during start-up.")
    port = process.port.value
    yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", outbox)
    process.terminate()
    process.join(timeout=10)


@pytest.fixture
def page(browser, asgi_server):
    context = browser.new_context(base_url=asgi_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_page(browser, asgi_server):
    """Open more browser contexts (separate people) in one test."""
    contexts = []

    def _open(width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=asgi_server.url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def sign_in(page, email_address: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


ARTIFACTS = Path(os.environ.get("HEARTH_TEST_ARTIFACTS", "test-artifacts")) / "screenshots"


def screenshot(page, name: str) -> Path:
    """Keep what the page looks like (the whole page) as a test artifact:
    test-artifacts/screenshots/<name>.png, or under HEARTH_TEST_ARTIFACTS."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_.-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def react(page, post: str, name: str):
    """Give a post a reaction through the page: a reaction nobody gave yet waits behind
    the post's "Add a reaction" control. Returns the reaction's button."""
    container = page.locator(post)
    button = container.get_by_role("button", name=name)
    if not button.is_visible():
        container.get_by_text("Add a reaction").click()
    button.click()
    return container.get_by_role("button", name=name)
