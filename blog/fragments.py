"""Parts of the blog's and guides' pages rendered once and kept for every reader.

A member cannot be served a kept page (hearth.kept_pages: it carries their name, bell and
forms), but most of a blog post, a guide or a listing is the same for everyone: the
header, the body, the cards, the bylines. Those parts are kept as fragments
(``{% shared_fragment %}`` in blog_fragments, the home page's sections in blog.sections),
and only the reader's own bits (the helpful button, the recruiting line, "this is your
guide") are rendered per request. The page's own queries run only when a fragment is
rendered: the context holds them lazily.

A fragment's key carries the site's generations (``SITE_PAGES``: publishing,
unpublishing, moving or deleting a page, closing it to visitors, and here an author's
byline, an image, a tag or a helpful vote changed; ``MEMBER_PAGES``: a member's name or
picture changed), the language, the time zone and the local date (cards say "29 Nov"), the
host, the address with its query, signed in or not, and the page's live revision. Nothing
is invalidated by hand: whatever shows on a fragment changes its key.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.template import loader
from django.utils import timezone

from hearth import kept_pages

GENERATIONS = [kept_pages.SITE_PAGES, kept_pages.MEMBER_PAGES]
# A fragment lives this long at most (a minute in one process's memory: kept_for), so a
# deploy that changes an included template shows within the hour.
TIMEOUT = 3600
_STAMP = "_blog_fragment_stamp"


def _stamp(request: HttpRequest | None) -> str | None:
    """The generations, language, time zone and day, once per request; None when the
    cache keeps nothing (then every fragment is rendered)."""
    if request is not None and hasattr(request, _STAMP):
        return getattr(request, _STAMP)
    stamp = kept_pages.generation_stamp(GENERATIONS)
    if stamp is not None:
        stamp += f":{timezone.localdate().isoformat()}"
    if request is not None:
        setattr(request, _STAMP, stamp)
    return stamp


def is_preview(request: HttpRequest | None, context: Any = None) -> bool:
    """A draft shown to its author or an editor: never kept, never served a kept part."""
    if getattr(request, "is_preview", False):
        return True
    return bool(context is not None and context.get("is_preview"))


def key(name: str, request: HttpRequest | None, *parts: Any) -> str | None:
    """The key of fragment ``name`` for this request, or None when it must be rendered."""
    if request is None or is_preview(request):
        return None
    path = request.get_full_path()
    if len(path) > kept_pages.LONGEST_PATH:
        return None
    stamp = _stamp(request)
    if stamp is None:
        return None
    signed_in = bool(getattr(getattr(request, "user", None), "is_authenticated", False))
    values = repr((request.get_host(), path, signed_in, parts))
    digest = hashlib.blake2b(values.encode(), digest_size=16).hexdigest()
    return f"blog:fragment:{name}:{stamp}:{digest}"


def kept(fragment_key: str | None, render) -> str:
    """The fragment kept under ``fragment_key``, else ``render()``, kept for next time."""
    if fragment_key is None:
        return render()
    html = cache.get(fragment_key)
    if html is None:
        html = render()
        cache.set(fragment_key, html, kept_pages.kept_for(TIMEOUT))
    return html


_versions: dict[str, str] = {}


def template_version(name: str) -> str:
    """A hash of a template's source: a deploy that changes it renders its parts anew."""
    if name not in _versions:
        template: Any = loader.get_template(name)  # the Django backend's wrapper
        _versions[name] = hashlib.sha256(template.template.source.encode()).hexdigest()[:12]
    return _versions[name]


def page_identity(page: Any) -> tuple[Any, ...]:
    """What says which version of a page is shown: its live revision and publishing time."""
    return (
        getattr(page, "pk", None),
        getattr(page, "live_revision_id", None),
        str(getattr(page, "last_published_at", None)),
    )


# --- what else shows on the fragments ------------------------------------------------------


def _retire(**kwargs: Any) -> None:
    kept_pages.retire_site_pages()


def connect() -> None:
    """Bylines, images, tags and helpful votes show on the site's pages: a change to one
    retires them (pages themselves are hearth.kept_pages' signals; members' names and
    pictures retire MEMBER_PAGES there)."""
    from django.db.models.signals import post_delete, post_save
    from taggit.models import Tag
    from wagtail.images import get_image_model

    from blog.models import Author, GuideVote

    for model in (Author, get_image_model(), Tag, GuideVote):
        for signal in (post_save, post_delete):
            signal.connect(
                _retire,
                sender=model,
                dispatch_uid=f"blog-fragments-{model._meta.label_lower}-{signal}",
            )
