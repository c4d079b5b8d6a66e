"""The site's URLs plus the baseline: a minimal staff view in the same Wagtail admin frame
(the same permission check and base template, no survey work)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template.response import TemplateResponse
from django.urls import path

from hearth.urls import urlpatterns as site_urlpatterns
from survey.admin_views import may_view_dashboard


def minimal(request: HttpRequest) -> HttpResponse:
    if not may_view_dashboard(request.user):
        return HttpResponseForbidden()
    return TemplateResponse(request, "wagtailadmin/base.html", {})


urlpatterns = [path("bench/minimal/", minimal), *site_urlpatterns]
