from __future__ import annotations

import asyncio
import errno
import functools
import logging
import sys
import time
import uuid
from collections import Counter

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve

from hearth import kept_pages, outages
from hearth.i18n import javascript_catalog_version, offered
from hearth.log_filters import DATABASE_UNAVAILABLE
from hearth.search import KEPT_SECONDS as SEARCH_KEPT_SECONDS
from hearth.search import kept as search_kept
from hearth.search import results_key, search_everything, search_scope, search_sources

logger = logging.getLogger(__name__)

SEARCH_MAX_LENGTH = 200
HEALTH_CHECK_SECONDS = 3
SEARCH_PAGE_SIZE = 20


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    outages.report_up(outages.DATABASE)


def _check_cache() -> None:
    check = getattr(cache, "check", None)
    if check is not None:  # the resilient Redis cache would hide an outage otherwise
        check()
        return
    key = f"healthz-{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


async def _layer_round_trip() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # A channel of its own, not one of this process's "!" channels: those share one
    # Redis list and one receiver, and a socket closing mid-receive (its task cancelled
    # after Redis popped the message) drops whatever message it had popped, this one too.
    channel = f"healthz.{uuid.uuid4().hex}"
    # A health check answers, whatever happens to the message: never wait forever.
    async with asyncio.timeout(HEALTH_CHECK_SECONDS):
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned a different message")


def _check_channel_layer() -> None:
    async_to_sync(_layer_round_trip)()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": _check_database,
        "cache": _check_cache,
        "channel_layer": _check_channel_layer,
    }
    results: dict[str, str] = {}
    failed: list[str] = []
    for name, check in checks.items():
        started = time.monotonic()
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # report every failure by name instead of a 500
            results[name] = f"failed: {exc.__class__.__name__}"
            failed.append(name)
            logger.warning(
                "health check %s failed after %.1f s: %r", name, time.monotonic() - started, exc
            )
    body: dict[str, object] = {"status": "ok" if not failed else "unavailable", "checks": results}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


def _clean_query(raw: str) -> str:
    # Control characters (a NUL breaks PostgreSQL) mean nothing in a search: drop them.
    printable = "".join(ch if ch.isprintable() else " " for ch in raw)
    return " ".join(printable.split())


@require_GET
@search_kept
def search(request: HttpRequest) -> HttpResponse:
    query = _clean_query(request.GET.get("q", ""))
    key = results_key(request)
    context: dict = {
        "query": query,
        "max_length": SEARCH_MAX_LENGTH,
        "filters": [],
        # The results are kept for every reader of the same kind (search.html).
        "results_key": key or "",
        "results_seconds": kept_pages.kept_for(SEARCH_KEPT_SECONDS) if key else 0,
    }
    if not query:
        context["message"] = _("Type a word or two to search posts, guides and the forum.")
    elif len(query) > SEARCH_MAX_LENGTH:
        context["message"] = _(
            "That search is %(length)s characters long; please use at most %(most)d and try again."
        ) % {"length": f"{len(query):,}", "most": SEARCH_MAX_LENGTH}
        context["query"] = query[:SEARCH_MAX_LENGTH]
    else:
        search_scope(request)  # the form above the results says where it searches
        # Worked out only when the template finds no kept results.
        found = functools.cache(lambda: _search_results(request, query))
        context |= {
            "filters": lambda: found()["filters"],
            "results": lambda: found()["page"],
            "message": lambda: found().get("message", ""),
        }
    return render(request, "search.html", context)


def _search_results(request: HttpRequest, query: str) -> dict:
    """The page of hits for ``query``, with a filter per kind of result that has any
    (``?type=`` picks one; an unknown one means everything)."""
    hits = search_everything(query, request)
    counts = Counter(hit.key for hit in hits)
    selected = request.GET.get("type", "")
    if selected not in counts:
        selected = ""
    filters = [{"key": "", "label": _("Everything"), "count": len(hits), "current": not selected}]
    filters += [
        {"key": s.key, "label": s.label, "count": counts[s.key], "current": s.key == selected}
        for s in search_sources()
        if counts[s.key]
    ]
    if selected:
        hits = [hit for hit in hits if hit.key == selected]
    results: dict = {
        "filters": filters,
        "page": Paginator(hits, SEARCH_PAGE_SIZE).get_page(request.GET.get("page")),
    }
    if not hits:
        results["message"] = _("Nothing matched “%(query)s”. Try fewer or different words.") % {
            "query": query
        }
    return results


@require_GET
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    try:
        response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    except OSError as exc:
        # A name longer than the file system allows cannot be an upload.
        if exc.errno == errno.ENAMETOOLONG:
            raise Http404("No such file.") from None
        raise
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Hearth's own catalog (LOCALE_PATHS) only: the installed apps' (Wagtail's admin) would
# triple its size for strings the site's scripts never use.
_django_javascript_catalog = JavaScriptCatalog.as_view(packages=["hearth"])
# A year in the browser for the address of this deploy's catalog (base.html adds ?v=).
JAVASCRIPT_CATALOG_MAX_AGE = 365 * 24 * 3600


@require_GET
def javascript_catalog(request: HttpRequest) -> HttpResponse:
    """Django's JavaScript catalog (``gettext``, ``ngettext``, ``interpolate`` for the
    scripts in static/js) in the request's language: rendered once per language and deploy
    and kept in the cache, and kept by browsers for a year at the versioned address."""
    version = javascript_catalog_version()
    key = f"jsi18n:{version}:{translation.get_language()}"
    content = cache.get(key)
    if content is None:
        content = _django_javascript_catalog(request).content  # type: ignore[attr-defined]
        cache.set(key, content, None)
    response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    if request.GET.get("v") == version:
        patch_cache_control(response, public=True, max_age=JAVASCRIPT_CATALOG_MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=300)
    return response


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return "/"


@never_cache
@require_http_methods(["GET", "POST"])
def choose_language(request: HttpRequest) -> HttpResponse:
    """The footer's language picker: keeps the choice in the language cookie and goes back
    to the page. Visitors send a GET form (kept pages carry no CSRF token); a member's form
    is a POST that also saves the language on their profile (it beats the cookie)."""
    response = HttpResponseRedirect(_safe_next(request))
    language = request.POST.get("language") or request.GET.get("language") or ""
    if not offered(language):
        return response
    if request.method == "POST" and request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax"
    )
    return response


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    # Our own BadRequest messages are written for people (hearth.params, the middleware);
    # Django's other 400s (SuspiciousOperation) keep their technical reasons to the log.
    reason = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"reason": reason}, status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        # PostgreSQL is away, or no pooled connection came free in DATABASE_POOL_TIMEOUT:
        # say so plainly and when to retry (the outage is logged once, in log_filters).
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)
