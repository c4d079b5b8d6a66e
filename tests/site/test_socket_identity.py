"""hearth.socket_identity: a socket's member comes from its session cookie, as on a page."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from hearth.socket_identity import SocketIdentityMiddleware
from tests.integration.servers import session_of

pytestmark = pytest.mark.django_db(transaction=True)


async def _scope_seen(cookie: str | None) -> dict:
    seen: dict = {}

    async def inner(scope, receive, send):
        seen.update(scope)

    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
    if cookie is not None:
        headers.append((b"cookie", cookie.encode("latin1")))
    scope = {"type": "websocket", "path": "/ws/chat/x/", "headers": headers}
    await SocketIdentityMiddleware(inner)(scope, None, None)
    return seen


async def test_a_signed_in_members_socket_is_theirs(member):
    session = await sync_to_async(session_of)(member)
    scope = await _scope_seen(f"csrftoken=abc; {settings.SESSION_COOKIE_NAME}={session}")
    assert scope["user"].pk == member.pk
    assert scope["session"].session_key == session
    assert scope["cookies"]["csrftoken"] == "abc"


async def test_no_cookie_or_an_unknown_session_is_a_visitor(db):
    for cookie in (None, f"{settings.SESSION_COOKIE_NAME}=not-a-session", "junk;;=\x7f"):
        scope = await _scope_seen(cookie)
        assert not scope["user"].is_authenticated


async def test_a_session_from_before_a_password_change_is_a_visitor(member):
    session = await sync_to_async(session_of)(member)

    def change_password():
        member.set_password("a brand new passphrase")
        member.save()

    await sync_to_async(change_password)()
    scope = await _scope_seen(f"{settings.SESSION_COOKIE_NAME}={session}")
    assert not scope["user"].is_authenticated


async def test_the_scope_is_copied_once_and_the_servers_own_is_left_alone(member):
    original = {"type": "websocket", "path": "/", "headers": []}
    copies = []

    async def inner(scope, receive, send):
        copies.append(scope)

    await SocketIdentityMiddleware(inner)(original, None, None)
    assert copies[0] is not original
    assert "user" not in original and "session" not in original
