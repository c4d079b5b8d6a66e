"""Staff who open another role's admin screen get the site's 403 page, as members do.

Wagtail refuses a signed-in user who may use the admin but not the screen (a permission
decorator said no, or the view raised ``PermissionDenied``) through one function,
``wagtail.admin.auth.permission_denied``: a redirect to the dashboard with "Sorry, you
do not have permission to access this area.". Here that function raises
``PermissionDenied`` instead, as Wagtail already does for an XMLHttpRequest, and Django
answers with ``handler403`` (the site's 403 page). Members never get this far (they get
the same page from ``community.middleware``); visitors are still sent to sign in.

Wagtail's decorators (``user_passes_test``, ``require_admin_access``) look the function
up in their module on every call, so replacing the module's attribute reaches every
admin screen; tests/site/test_admin_forbidden.py checks that against the installed
Wagtail.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from wagtail.admin import auth as wagtail_auth


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def install() -> None:
    """Put ``refuse`` in place of Wagtail's refusal (from ``HearthConfig.ready``, before
    any request)."""
    wagtail_auth.permission_denied = refuse
