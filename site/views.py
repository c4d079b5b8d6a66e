from __future__ import annotations

import asyncio
import errno
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
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from hearth import outages
from hearth.log_filters import DATABASE_UNAVAILABLE
from hearth.search import search_everything, search_sources

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
def search(request: HttpRequest) -> HttpResponse:
    query = _clean_query(request.GET.get("q", ""))
    context: dict = {"query": query, "max_length": SEARCH_MAX_LENGTH, "filters": []}
    if not query:
        context["message"] = "Type a word or two to search posts, guides and the forum."
    elif len(query) > SEARCH_MAX_LENGTH:
        context["message"] = (
            f"That search is {len(query):,} characters long; please use at most "
            f"{SEARCH_MAX_LENGTH} and try again."
        )
        context["query"] = query[:SEARCH_MAX_LENGTH]
    else:
        context |= _search_results(request, query)
    return render(request, "search.html", context)


def _search_results(request: HttpRequest, query: str) -> dict:
    """The page of hits for ``query``, with a filter per kind of result that has any
    (``?type=`` picks one; an unknown one means everything)."""
    hits = search_everything(query, request)
    counts = Counter(hit.key for hit in hits)
    selected = request.GET.get("type", "")
    if selected not in counts:
        selected = ""
    filters = [{"key": "", "label": "Everything", "count": len(hits), "current": not selected}]
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
        results["message"] = f"Nothing matched “{query}”. Try fewer or different words."
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
