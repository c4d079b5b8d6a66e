from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.moderation.actions import suspension_notice_path
from community.trust import record_visit_day


class SuspendedMemberMiddleware:
    """Signs out a suspended member on their next request and sends them to their
    suspension's notice (why, until when, the appeal); with no penalty on record, home
    with a message.

    Also answers 403 (not Wagtail's login redirect) when a signed-in person without the
    admin permission opens the Wagtail admin.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.is_suspended:
                until = user.suspended_until
                reason = user.suspension_reason
                notice = suspension_notice_path(user)
                logout(request)
                if notice:
                    return redirect(notice)
                messages.error(
                    request,
                    (
                        _("Your account is suspended until %(date)s. Reason: %(reason)s")
                        if reason
                        else _("Your account is suspended until %(date)s.")
                    )
                    % {"date": date_format(until, "d F Y"), "reason": reason},
                )
                return redirect("/")
            if (
                request.path.startswith("/admin/")
                and not request.path.startswith(("/admin/login/", "/admin/logout/"))
                and not user.has_perm("wagtailadmin.access_admin")
            ):
                return HttpResponseForbidden(
                    render_to_string("403.html", {"reason": "admin"}, request=request)
                )
        return self.get_response(request)


class MemberDayMiddleware:
    """Counts the days a signed-in member visits (trust levels): at most one write a day."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.method == "GET":
            record_visit_day(user)
        return response
