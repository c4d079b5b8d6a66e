"""Addresses no view could make sense of are refused here, once, before any view runs.

- A NUL character anywhere in the path or the query string is a 400: PostgreSQL refuses
  NUL in text, so any view that looked it up would answer 500.
- A path longer than any address the site makes is a 400.
- A number in the query string beyond what the database's integers hold is a 400, and
  such an id in the path a 404: SQLite raises OverflowError for it in lookups Django
  does not guard (``__in``, a parent link such as a Wagtail page's ``page_ptr``, OFFSET),
  and no row could match anyway.
- Some of Wagtail's admin views pass values from the address to the ORM or to
  ``reverse()`` unchecked (a 500 for "x"): here those ids must be plain numbers and the
  admin login's ``next`` an address (400 otherwise, 404 for an id in the path).
- A page number past the last page is a 404, as Django's own list views answer, also
  where a view lets ``Paginator.page()`` raise.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.paginator import InvalidPage
from django.db.models import IntegerField
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy
from wagtail.admin.views.generic.chooser import ChosenMultipleViewMixin, ChosenViewMixin
from wagtail.coreutils import resolve_model_string

from hearth.i18n import member_time_zone, offered
from hearth.page_languages import prefix_language
from hearth.params import MAX_ID, ParamError, parse_int

# Longer than any address this site makes, and too short to hold a number with more
# digits than int() accepts from a string (4,300): Wagtail's document and revision views
# take ids from the path with a regex and hand them to the ORM, which raises ValueError.
MAX_PATH_LENGTH = 4096

NUL_MESSAGE = gettext_lazy("This address contains a NUL character (%00), which no page uses.")


def _number(name: str, raw: str) -> None:
    try:
        parse_int(raw)
    except ParamError as exc:
        raise BadRequest(f"The “{name}” in this address {exc}") from None


def _site_path(name: str, raw: str) -> None:
    # redirect() takes a value without "/" or "." for a view name: NoReverseMatch.
    if "/" not in raw:
        raise BadRequest(f"The “{name}” in this address should be a page such as /admin/.")


# Wagtail 8.0 admin views (by URL name) and the query parameters they trust; each was a
# 500 that tests/site/test_junk_urls.py found, and finds again if an entry is dropped.
WAGTAIL_PARAMETERS: dict[str, dict[str, Callable[[str, str], None]]] = {
    "wagtailadmin_login": {"next": _site_path},
    "wagtailadmin_choose_page": {"target_pages[]": _number},
    "wagtailadmin_choose_page_child": {"target_pages[]": _number},
    "wagtailadmin_choose_page_external_link": {"parent_page_id": _number},
    "wagtailadmin_choose_page_email_link": {"parent_page_id": _number},
    "wagtailadmin_choose_page_phone_link": {"parent_page_id": _number},
    "wagtailadmin_choose_page_anchor_link": {"parent_page_id": _number},
    "wagtailadmin_choose_page_chosen_multiple": {"id": _number},
    "wagtailadmin_workflows:edit": {"p": _number},
    "wagtailadmin_api:pages:find": {"id": _number},
    "wagtailadmin_api:images:find": {"id": _number},
    "wagtailadmin_api:documents:find": {"id": _number},
}


def _chooses_by_number(view_func) -> bool:
    """Whether this is one of Wagtail's generic "chosen" views for a model with number ids.

    They look up the ``pk`` in the path and every ``id`` in the query string as given.
    """
    view_class = getattr(view_func, "view_class", None)
    if view_class is None or not issubclass(view_class, ChosenViewMixin | ChosenMultipleViewMixin):
        return False
    model = view_func.view_initkwargs.get("model") or view_class.model
    pk = resolve_model_string(model)._meta.pk
    while pk.is_relation:
        pk = pk.target_field
    return isinstance(pk, IntegerField)


class MalformedRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # BadRequest raised here is rendered by the project's handler400, like a view's.
        if len(request.path) > MAX_PATH_LENGTH:
            raise BadRequest(
                f"This address is {len(request.path):,} characters long; no page on this "
                f"site has one longer than {MAX_PATH_LENGTH:,}."
            )
        if "\x00" in request.path:
            raise BadRequest(NUL_MESSAGE)
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in raw for raw in values):
                raise BadRequest(NUL_MESSAGE)
            for raw in values:
                if raw.isascii() and raw.isdigit():
                    _number(name, raw)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        for value in (*view_args, *view_kwargs.values()):
            if type(value) is int and value > MAX_ID:
                raise Http404("No id on this site is that large.")
        assert request.resolver_match is not None  # process_view runs after URL resolution
        checks = WAGTAIL_PARAMETERS.get(request.resolver_match.view_name, {})
        if _chooses_by_number(view_func):
            pk = str(view_kwargs.get("pk", "0"))
            if not (pk.isascii() and pk.isdigit()):
                raise Http404("No such item.")
            checks = {"id": _number}
        for name, check in checks.items():
            for raw in request.GET.getlist(name):
                if raw != "":
                    check(name, raw)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, InvalidPage):
            raise Http404(str(exception)) from exception


class MemberLocaleMiddleware:
    """A signed-in member's own language and time zone (their profile) for the request,
    beating the language cookie and Accept-Language (LocaleMiddleware, before this); on a
    translated page's address (/et/…) that page's language beats them all.

    Every answer says which language it is in and that it depends on the browser's
    languages and cookies (the language cookie), so no shared cache hands a page in one
    language to someone who reads another."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = None
        user = getattr(request, "user", None)
        # No session cookie, no member: a visitor's request does not load the session.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and user and user.is_authenticated:
            if user.language and offered(user.language):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            zone = member_time_zone(user)
        # A translated page's address says its language (/et/blog/…): the page and the
        # interface around it are read in that language, whoever reads it.
        if language := prefix_language(request.path_info):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        response = self.get_response(request)
        response.headers["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
