"""Request types for views, so the type checker knows who is asking.

``login_required`` views take an :class:`AuthenticatedHttpRequest` (``request.user`` is
a :class:`community.models.User`, never AnonymousUser); views that answer htmx take an
:class:`HtmxHttpRequest` (django-htmx's ``request.htmx``). Nothing here changes at run
time: they are annotations only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from community.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHtmxHttpRequest(AuthenticatedHttpRequest):
    htmx: HtmxDetails
