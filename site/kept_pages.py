"""Whole pages kept for visitors (Discourse's "anonymous cache"): the rules every kept page
follows, and the site's own pages (Wagtail's: home, blog, guides) kept for a minute.

Every visitor of a page sees the same page, so the first one's rendering is kept and the
next ones get it without touching the database. A kept page is found under a key that
carries one or more *generations*; whatever changes what a visitor could see retires a
generation (:func:`retire`), now and again after the transaction commits, so the next
visitor gets a fresh page at once. The forum keeps its pages by the same rules
(community/forum/page_cache.py) with generations of its own.

Only plain anonymous GETs are served from here: no session or messages cookie (a
visitor with a flash message or a session gets the page rendered), only known query
parameters (nobody can fill the cache with made-up addresses), and a page is kept only
when its response set no cookie (no CSRF token, nothing personal).

The site's pages show what other apps write (the home page's latest topics, a guide's
author's name), so they are kept for a minute at most; publishing, unpublishing, moving or
deleting a page, or changing who may see it, retires them all at once. Pages about members
(a profile, the leaderboard) are kept under a generation of their own as well
(:data:`MEMBER_PAGES`), and search results under their sources' (hearth.search).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse

from hearth.commit import after_commit
from hearth.i18n import reader_locale

View = Callable[..., HttpResponse]

# Only these query parameters make a kept page of their own: any other (a tracking tag,
# junk) gets the page rendered.
KEPT_PARAMETERS = frozenset({"page"})
LONGEST_PATH = 300
# What a cache in one process's memory may keep: it cannot hear the task worker or the
# scheduler, so a page changed there (a badge given at night) lives this long at most.
LOCAL_CACHE_TIMEOUT = 60


def may_use(request: HttpRequest, parameters: Iterable[str] = KEPT_PARAMETERS) -> bool:
    """Whether this request may be answered with, and leave behind, a kept page."""
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and set(request.GET) <= set(parameters)
        and len(request.get_full_path()) <= LONGEST_PATH
    )


def may_keep(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a freshly rendered page is the same for every visitor."""
    if response.status_code != 200 or response.cookies or response.streaming:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a CSRF token
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.modified)  # nothing personal written


def page_key(prefix: str, generations: list[str], request: HttpRequest) -> str | None:
    """The key of this request's kept page under the current ``generations``, taken before
    the page is rendered: a change committed meanwhile retires the generation, so the page
    rendered from the old rows is kept where nobody looks. A generation unknown to the cache
    (first use, eviction, Redis restarted) is started; None when the cache keeps nothing
    (Redis away)."""
    stamp = generation_stamp(generations)
    if stamp is None:
        return None
    return f"{prefix}:{stamp}:{request.get_full_path()}"


def generation_stamp(generations: list[str]) -> str | None:
    """The current ``generations`` and the reader's locale (language, time zone, catalogs'
    version) as one string to put in a key: whatever is kept under it is found while none
    of them is retired or changed. A generation unknown to the cache is started; None when
    the cache keeps nothing."""
    found = cache.get_many(generations)
    if len(found) < len(generations):
        for generation in generations:
            cache.add(generation, uuid.uuid4().hex, None)
        found = cache.get_many(generations)
        if len(found) < len(generations):
            return None
    where = reader_locale()
    return ":".join(found[generation] for generation in generations) + f":{where}"


def retire(generations: list[str], *, what: str) -> None:
    """Retire every page kept under these generations: now, and again once the current
    transaction commits, since a visitor served meanwhile still read the old rows and may
    have kept a page under the new generation."""

    def start_new() -> None:
        cache.set_many({generation: uuid.uuid4().hex for generation in generations}, None)

    start_new()
    after_commit(start_new, what=f"retiring kept pages ({what})")


def kept_for(timeout: int) -> int:
    """How long to keep a page: ``timeout``, or a minute in one process's memory."""
    if isinstance(caches["default"], LocMemCache):
        return min(timeout, LOCAL_CACHE_TIMEOUT)
    return timeout


def served(
    request: HttpRequest,
    key_for: Callable[[], str | None],
    render: Callable[[], HttpResponse],
    *,
    timeout: int,
    parameters: Iterable[str] = KEPT_PARAMETERS,
) -> HttpResponse:
    """The kept page for a visitor's request if there is one, else ``render()``, kept for
    the next visitors when it may be."""
    if not may_use(request, parameters):
        return render()
    key = key_for()
    content = cache.get(key) if key else None
    if content is not None:
        return HttpResponse(content)
    response = render()
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.render()  # Wagtail's pages: the content is needed now to keep it
    if key and may_keep(request, response):
        cache.set(key, response.content, kept_for(timeout))
    return response


# --- the site's own pages (Wagtail's) --------------------------------------------------

SITE_PAGES = "site:page-gen"
SITE_PAGES_TIMEOUT = 60


def site_pages(view: View) -> View:
    """Wagtail's page view, with visitors served kept pages (home, blog, guides)."""

    @functools.wraps(view)
    def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return served(
            request,
            lambda: page_key("site:page", [SITE_PAGES], request),
            lambda: view(request, *args, **kwargs),
            timeout=SITE_PAGES_TIMEOUT,
        )

    return serve


def retire_site_pages(**kwargs: Any) -> None:
    retire([SITE_PAGES], what="the site's pages")


# --- pages about members (profiles, the leaderboard) ------------------------------------

# Retired when anything shown about a member may change: a member saved (a new name,
# picture, bio, role, privacy setting or suspension), their groups, their trust level or
# days visited (community.trust.forget), their referral scores (referrals.actions).
MEMBER_PAGES = "site:member-pages-gen"
# A sign-in writes only these: nothing a page shows.
UNSHOWN_MEMBER_FIELDS = frozenset({"last_login"})


def retire_member_pages(**kwargs: Any) -> None:
    retire([MEMBER_PAGES], what="pages about members")


def _on_member_saved(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is None or set(update_fields) - UNSHOWN_MEMBER_FIELDS:
        retire_member_pages()


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import Page, PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    member = get_user_model()
    post_save.connect(_on_member_saved, sender=member, dispatch_uid="kept-member-pages-saved")
    post_delete.connect(retire_member_pages, sender=member, dispatch_uid="kept-member-pages-gone")
    m2m_changed.connect(
        retire_member_pages, sender=member.groups.through, dispatch_uid="kept-member-pages-groups"
    )

    page_published.connect(retire_site_pages, dispatch_uid="kept-pages-published")
    page_unpublished.connect(retire_site_pages, dispatch_uid="kept-pages-unpublished")
    post_page_move.connect(retire_site_pages, dispatch_uid="kept-pages-moved")
    # Deleting a page deletes its specific row and its Page row: one signal is enough.
    post_delete.connect(retire_site_pages, sender=Page, dispatch_uid="kept-pages-deleted")
    for signal in (post_save, post_delete):
        signal.connect(
            retire_site_pages,
            sender=PageViewRestriction,
            dispatch_uid=f"kept-pages-restriction-{signal}",
        )


def kept_fragments(keys: list[str], render: Callable[[int], str], timeout: int) -> list[str]:
    """The fragment kept under each key, in order; ``render(index)`` draws (and keeps) the
    ones missing. One read and at most one write of the cache, whatever the number."""
    found = cache.get_many(keys) if keys else {}
    missing: dict[str, str] = {}
    out = []
    for index, key in enumerate(keys):
        html = found.get(key) or missing.get(key)
        if html is None:
            html = missing[key] = render(index)
        out.append(html)
    if missing:
        cache.set_many(missing, timeout)
    return out
