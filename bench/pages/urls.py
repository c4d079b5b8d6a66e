"""The site's URLs plus the baseline: a minimal view served by the same process and the
same middleware (sessions, authentication, CSP, ...), returning a short text."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from hearth.urls import urlpatterns as site_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal), *site_urlpatterns]
