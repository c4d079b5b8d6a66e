"""Websocket handshakes from the site's own pages only.

Channels' AllowedHostsOriginValidator compares only the Origin's host name with
ALLOWED_HOSTS, so a page served from another port of the same host (another app on
127.0.0.1:9999, say) could open a socket with the member's cookies. Here the Origin must
be the very origin the socket was asked for: the same host *and* port as the request's
Host header (which must itself be an allowed host), or one of CSRF_TRUSTED_ORIGINS,
the setting Django's CSRF check already uses for a site behind a proxy.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return ""


def _netloc(host: str, port: str, scheme: str) -> str:
    port = "" if port == _DEFAULT_PORTS.get(scheme) else port
    return f"{host}:{port}" if port else host


def _host_without_default_port(host_header: str) -> str:
    host, port = split_domain_port(host_header.lower())
    if port in ("80", "443"):
        port = ""
    return f"{host}:{port}" if port else host


def _trusted(origin: str) -> bool:
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        trusted = trusted.lower().rstrip("/")
        if trusted == origin:
            return True
        if "://*." in trusted:  # Django's wildcard form: https://*.example.com
            scheme, _, suffix = trusted.partition("://*")
            if origin.startswith(scheme + "://") and origin.endswith(suffix):
                return True
    return False


def origin_allowed(scope: dict) -> bool:
    raw = _header(scope, b"origin").lower()
    if not raw or raw == "null":
        return False
    try:
        parts = urlsplit(raw)
        port = str(parts.port) if parts.port else ""
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    origin = f"{parts.scheme}://{_netloc(parts.hostname, port, parts.scheme)}"
    if _trusted(origin):
        return True
    host_header = _header(scope, b"host")
    if not host_header:
        return False
    domain, _ = split_domain_port(host_header.lower())
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    own = _host_without_default_port(host_header)
    return _netloc(parts.hostname, port, parts.scheme) == own


class SameOriginValidator:
    """ASGI middleware: refuse a websocket handshake from any other origin (HTTP 403)."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
