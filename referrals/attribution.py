"""Who came through which link: the visit cookie, hashed networks, crawlers, link lookup.

Raw network addresses never leave this module: callers get salted hashes of the
network (IPv4 /24, IPv6 /64), which is what the fraud signals compare.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from hearth.network import network_of
from referrals.models import ATTRIBUTION_WINDOW, CODE_ALPHABET, CODE_LENGTH, ReferralLink

COOKIE_NAME = "hearth_ref"
COOKIE_SALT = "referrals.visit"
_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
_VISITOR_RE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
# Link previews, search engines and scripted clients: counted, but apart from people.
_CRAWLER_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|facebookexternalhit|facebookcatalog|embedly|"
    r"linkpreview|preview|whatsapp|telegram|skypeuripreview|bingpreview|yandex|baidu|"
    r"duckduckgo|curl/|wget/|python-requests|python-urllib|httpx|go-http-client|"
    r"okhttp|java/|libwww|scrapy|headlesschrome.*lighthouse",
    re.IGNORECASE,
)
_LINK_CACHE_SECONDS = 300
_MISSING = "missing"


def normalise_code(code: str) -> str | None:
    code = (code or "").strip().lower()
    return code if _CODE_RE.match(code) else None


def is_crawler(user_agent: str) -> bool:
    return not user_agent.strip() or bool(_CRAWLER_RE.search(user_agent))


def _hash(kind: str, value: str) -> str:
    if not value:
        return ""
    digest = hashlib.sha256(f"{settings.HASH_SALT}|{kind}|{value}".encode()).hexdigest()
    return digest[:32]


def client_address(request: HttpRequest) -> str:
    """The client's address, honouring REFERRAL_TRUSTED_PROXIES X-Forwarded-For hops."""
    proxies = getattr(settings, "REFERRAL_TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def network_hash(request: HttpRequest) -> str:
    return _hash("net", network_of(client_address(request)))


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]


def ua_hash(request: HttpRequest) -> str:
    return _hash("ua", user_agent(request))


def email_hash(email: str) -> str:
    return _hash("email", email.strip().lower())


# --- The visit cookie ----------------------------------------------------------------


def visitor_from_cookie(request: HttpRequest) -> str | None:
    """The browser's visit key, or None when there is none or it was tampered with."""
    value = request.get_signed_cookie(
        COOKIE_NAME,
        default=None,
        salt=COOKIE_SALT,
        max_age=ATTRIBUTION_WINDOW,
    )
    if value and _VISITOR_RE.match(value):
        return value
    return None


def new_visitor_key() -> str:
    return secrets.token_urlsafe(16)[:22]


def set_visitor_cookie(response: HttpResponse, visitor: str) -> None:
    response.set_signed_cookie(
        COOKIE_NAME,
        visitor,
        salt=COOKIE_SALT,
        max_age=int(ATTRIBUTION_WINDOW.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
    )


# --- Link lookup (cached: the redirect's only write is the visit) ---------------------


@dataclass(frozen=True)
class LinkInfo:
    """What following a link needs: ``destination`` is always a path on this site."""

    id: int
    owner_id: int
    destination: str
    disabled: bool


def _cache_key(code: str) -> str:
    return f"referrals:link:{code}"


def _local_path(target: str) -> str:
    # A link only ever leads to a page of this site.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def link_info(code: str) -> LinkInfo | None:
    key = _cache_key(code)
    cached = cache.get(key)
    if cached == _MISSING:
        return None
    if cached is not None:
        link_id, owner_id, destination, disabled = cached
        return LinkInfo(link_id, owner_id, _local_path(destination), disabled)
    row = (
        ReferralLink.objects.filter(code=code)
        .values_list("id", "owner_id", "target_path", "disabled_at")
        .first()
    )
    if row is None:
        cache.set(key, _MISSING, 60)
        return None
    info = LinkInfo(row[0], row[1], _local_path(row[2]), row[3] is not None)
    cache.set(key, (info.id, info.owner_id, info.destination, info.disabled), _LINK_CACHE_SECONDS)
    return info


def forget_link(code: str) -> None:
    cache.delete(_cache_key(code))
