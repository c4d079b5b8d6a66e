"""Pages in more than one language (Wagtail's i18n, translated with wagtail-localize):
where a translation lives, which language a page address is in, and what tells readers
and search engines about the other languages (docs/i18n.md, "Translating pages").

English pages keep their addresses (/blog/<slug>/) and are English whatever the reader's
interface language; a translation has the same address under its language's prefix
(/et/blog/<slug>/), and there the interface is in that language too. The prefix is not
Django's ``i18n_patterns``: that makes LocaleMiddleware force English on every address
without a prefix, where Hearth keeps each reader's own choice (cookie, profile, browser).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language

from hearth import content_language, kept_pages

# The page's other languages are kept this long at most (a minute in one process's
# memory); publishing, unpublishing, moving or deleting any page retires them at once.
TRANSLATIONS_TIMEOUT = 3600
_ON_REQUEST = "_hearth_page_translations"


def default_language() -> str:
    return settings.LANGUAGE_CODE


def content_languages() -> list[str]:
    """Every language a page may be written in (settings.WAGTAIL_CONTENT_LANGUAGES)."""
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def prefixed_languages() -> list[str]:
    """The languages whose pages live under a prefix: all but the default (English)."""
    return [code for code in content_languages() if code != default_language()]


def prefix_language(path: str) -> str | None:
    """The language of an address under a language prefix ("/et/blog/x/" → "et"), else
    None (an English page's address, or any other of the site's)."""
    first = path.lstrip("/").split("/", 1)
    if len(first) < 2:  # "/et" without its slash is not a page address
        return None
    return first[0] if first[0] in prefixed_languages() else None


# --- addresses ---------------------------------------------------------------------------


class ContentLanguagePrefix:
    """The URL prefix of Wagtail's pages: none for English, "<language>/" for the others.

    Matching does not depend on the active language (an English page's address is found
    whatever the reader reads in); reversing does, as with Django's LocalePrefixPattern:
    Wagtail reverses a page's address with the page's own language active."""

    converters: dict[str, Any] = {}

    @property
    def language_prefix(self) -> str:
        language = get_language() or default_language()
        return f"{language}/" if language in prefixed_languages() else ""

    @property
    def regex(self) -> re.Pattern[str]:
        # Only used by reverse(), which keeps its table per active language.
        return re.compile(re.escape(self.language_prefix))

    def match(self, path: str) -> tuple[str, tuple[()], dict[str, Any]]:
        language = prefix_language(path)
        if language is not None:
            return path.removeprefix(f"{language}/"), (), {}
        return path, (), {}

    def check(self) -> list[Any]:
        return []

    def describe(self) -> str:
        return "'<language>/'"

    def __str__(self) -> str:
        return self.language_prefix


def _route(request: HttpRequest, path: str, language: str) -> Any:
    """Wagtail's route for ``path`` in ``language``'s tree of pages, or None.

    Wagtail itself routes in the tree of the *active* language (``root_page.localized``),
    which here is the reader's interface language: an Estonian reader of /blog/x/ would get
    the Estonian post at the English address. The address says the language instead."""
    from wagtail.models import Site

    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page
    if language != default_language():
        root = root.get_translations().filter(locale__language_code=language, live=True).first()
        if root is None:
            return None
    try:
        return root.specific.route(request, [part for part in path.split("/") if part])
    except Http404:
        return None


def serve_in_address_language(view):
    """Wagtail's page view, routing in the tree of the address's language."""

    @functools.wraps(view)
    def serve(request: HttpRequest, path: str, *args: Any, **kwargs: Any) -> HttpResponse:
        language = prefix_language(request.path_info) or default_language()
        # Wagtail's view reads the route kept on the request (Page.route_for_request).
        request._wagtail_route_for_request = _route(request, path, language)  # type: ignore[attr-defined]
        return view(request, path, *args, **kwargs)

    return serve


# --- a page's other languages -------------------------------------------------------------


@dataclass(frozen=True)
class Translation:
    """One live language version of a page: its language, name and addresses."""

    code: str
    name: str
    url: str
    full_url: str
    current: bool


def _has_other_languages(page: Any, request: HttpRequest | None) -> bool:
    """Whether the site has a home page in another language at all: without one no page
    can have a translation anyone can read (no database query, Wagtail keeps these)."""
    roots = page._get_site_root_paths(request)
    return len({root.language_code for root in roots}) > 1


def _find(page: Any, request: HttpRequest | None) -> list[Translation]:
    from wagtail.models import Page

    if not _has_other_languages(page, request):
        return []
    versions = list(
        Page.objects.filter(translation_key=page.translation_key, alias_of__isnull=True)
        .live()
        .public()
        .select_related("locale")
    )
    if len(versions) < 2 or page.pk not in {version.pk for version in versions}:
        return []
    order = {code: index for index, code in enumerate(content_languages())}
    found = []
    for version in sorted(versions, key=lambda v: order.get(v.locale.language_code, 99)):
        url = version.get_url(request)
        full_url = version.get_full_url(request)
        if url and full_url:
            code = version.locale.language_code
            found.append(
                Translation(code, content_language.name(code), url, full_url, version.pk == page.pk)
            )
    return found if len(found) > 1 else []


def translations(page: Any, request: HttpRequest | None) -> list[Translation]:
    """Every live, public language version of ``page`` (itself included, marked
    ``current``) when it has at least one other; else an empty list. Aliases (a page
    Wagtail mirrors into another language's tree untranslated) are not versions.

    Kept per request, and in the cache under the site's pages' generation: publishing,
    unpublishing, moving or deleting any page retires it at once."""
    from wagtail.models import Page

    if not isinstance(page, Page) or page.pk is None or not page.live:
        return []
    if page.alias_of_id is not None:
        return []
    if request is None or getattr(request, "is_preview", False):
        return _find(page, request)
    kept_on_request = request.__dict__.setdefault(_ON_REQUEST, {})
    if page.pk in kept_on_request:
        return kept_on_request[page.pk]
    stamp = kept_pages.generation_stamp([kept_pages.SITE_PAGES])
    key = f"site:page-languages:{stamp}:{request.get_host()}:{page.pk}" if stamp else None
    found = cache.get(key) if key else None
    if found is None:
        found = _find(page, request)
        if key:
            cache.set(key, found, kept_pages.kept_for(TRANSLATIONS_TIMEOUT))
    kept_on_request[page.pk] = found
    return found


def x_default(found: list[Translation]) -> Translation | None:
    """The version for readers of none of the languages: the English one."""
    return next((version for version in found if version.code == default_language()), None)


# --- locales ------------------------------------------------------------------------------


def ensure_locales(**kwargs: Any) -> None:
    """A Wagtail locale for every language pages may be written in (post_migrate, so a
    language offered later gets its own once the site is migrated again). Idempotent."""
    from wagtail.models import Locale

    locales = Locale.objects.using(kwargs.get("using") or "default")
    for code in content_languages():
        locales.get_or_create(language_code=code)
