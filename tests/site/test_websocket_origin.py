"""Websocket handshakes come from the site's own origin: host *and* port."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from hearth.asgi import application
from hearth.origins import origin_allowed
from tests.factories import make_member
from tests.sockets import recorded


def _scope(origin: str | None, host: str | None) -> dict:
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if host is not None:
        headers.append((b"host", host.encode()))
    return {"type": "websocket", "headers": headers}


@pytest.mark.parametrize(
    "origin, host, allowed",
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
        ("http://localhost:8000", "localhost:8000", True),
        ("https://localhost", "localhost", True),  # TLS ended at a proxy: default port
        ("https://localhost", "localhost:443", True),
        ("http://127.0.0.1:9999", "127.0.0.1:8000", False),  # another app on the host
        ("http://127.0.0.1", "127.0.0.1:8000", False),
        ("http://evil.example", "evil.example", False),  # not an allowed host
        ("https://evil.example", "127.0.0.1:8000", False),
        ("null", "127.0.0.1:8000", False),
        (None, "127.0.0.1:8000", False),
        ("http://127.0.0.1:8000", None, False),
        ("ftp://127.0.0.1:8000", "127.0.0.1:8000", False),
        ("http://127.0.0.1:99999999", "127.0.0.1:8000", False),
        ("http://[::1", "127.0.0.1:8000", False),
    ],
)
def test_it_allows_only_the_sites_own_origin(origin, host, allowed):
    assert origin_allowed(_scope(origin, host)) is allowed


def test_it_allows_a_csrf_trusted_origin(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://community.example", "https://*.brand.example"]
    assert origin_allowed(_scope("https://community.example", "127.0.0.1:8000"))
    assert origin_allowed(_scope("https://chat.brand.example", "127.0.0.1:8000"))
    assert not origin_allowed(_scope("http://community.example", "127.0.0.1:8000"))
    assert not origin_allowed(_scope("https://brand.example.evil", "127.0.0.1:8000"))


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("origin, opens", [("9999", False), ("8000", True)])
async def test_a_page_on_another_port_cannot_open_a_members_socket(origin, opens):
    member = await sync_to_async(make_member)()
    cookie = await sync_to_async(_session_of)(member)
    communicator = recorded(
        WebsocketCommunicator(
            application,
            "/ws/notifications/",
            headers=[
                (b"origin", f"http://127.0.0.1:{origin}".encode()),
                (b"host", b"127.0.0.1:8000"),
                (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
            ],
        )
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected is opens
    if opens:
        assert (await communicator.receive_json_from(timeout=5))["type"] == "count"
    await communicator.disconnect()
