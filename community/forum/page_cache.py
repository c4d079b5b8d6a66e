"""Whole forum pages for visitors, kept in the cache (Discourse's "anonymous cache").

Every visitor of a topic page sees the same page, so the first one's rendering is kept
and the next ones get it without touching the database. A kept page is found under a
key that carries two *generations*: the forum's and the topic's own (for the forum
index and category pages, the listings' generation). Whatever changes what a visitor
could see bumps one of them, now and again after the transaction commits, so the next
visitor gets a fresh page at once:

- the topic's generation (and the listings'): the topic, any of its posts, reactions,
  tags or images (model signals, plus :func:`bump` where the forum updates in bulk);
- the forum's generation: a category (its name, who may read it), a member (a new
  name or avatar), a badge given or taken back (``community.badges.badges_changed``).

Listings say "3 minutes ago", so they are kept for a minute at most; topic pages show
dates, so they stay until something changes — in a shared cache (Redis). A cache in one
process's memory cannot hear the task worker or the scheduler, so there every kept page
lives a minute at most.

Only plain anonymous GETs are served from here: no session or messages cookie (a
visitor with a flash message or a session gets the page rendered), and a page is kept
only when its response set no cookie (no CSRF token, nothing personal).
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from community.badges import badges_changed
from hearth.commit import after_commit

from . import view_counts

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]

TOPIC_TIMEOUT = 24 * 3600
LISTING_TIMEOUT = 60
FORUM = "forum:page-gen"
LISTINGS = "forum:page-gen:listings"


def _scope_key(topic_id: int | None) -> str:
    """The generation a page depends on besides the forum's: its topic's, or the listings'."""
    return LISTINGS if topic_id is None else f"forum:page-gen:{topic_id}"


def bump(topic_id: int | None = None) -> None:
    """Retire the kept pages of one topic and the listings (or, with no topic, of the whole
    forum): now, and again once the current transaction commits, since a visitor served
    meanwhile still read the old rows and may have kept a page under the new generation."""
    keys = [FORUM] if topic_id is None else [_scope_key(topic_id), LISTINGS]

    def retire() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)

    retire()
    after_commit(retire, what=f"retiring kept pages ({', '.join(keys)})")


def _page_key(request: HttpRequest, topic_id: int | None) -> str | None:
    scope = _scope_key(topic_id)
    gens = cache.get_many([FORUM, scope])
    if FORUM not in gens or scope not in gens:
        # A generation unknown to the cache (first use, eviction, Redis restarted):
        # start one, so later pages can be kept; this one is rendered.
        cache.add(FORUM, uuid.uuid4().hex, None)
        cache.add(scope, uuid.uuid4().hex, None)
        return None
    where = f"{translation.get_language()}:{timezone.get_current_timezone_name()}"
    return f"forum:page:{gens[FORUM]}:{gens[scope]}:{where}:{request.get_full_path()}"


# Only these query parameters make a kept page of its own: any other (a tracking tag, junk)
# gets the page rendered, so nobody can fill the cache with made-up addresses.
KEPT_PARAMETERS = {"page"}


def may_use(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and set(request.GET) <= KEPT_PARAMETERS
        and len(request.get_full_path()) <= 300
    )


def kept(request: HttpRequest, topic_id: int | None) -> HttpResponse | None:
    """The kept page for this visitor's request (a topic's, or a listing's with no topic),
    if there is one."""
    if not may_use(request):
        return None
    key = _page_key(request, topic_id)
    content = cache.get(key) if key else None
    if content is None:
        return None
    return HttpResponse(content)


def keep(request: HttpRequest, topic_id: int | None, response: HttpResponse) -> HttpResponse:
    """Keep a freshly rendered page for the next visitors, when it is the same for all."""
    if not may_use(request) or response.status_code != 200 or response.cookies:
        return response
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a CSRF token
        return response
    session = getattr(request, "session", None)
    if session is not None and session.modified:  # the visit wrote something personal
        return response
    key = _page_key(request, topic_id)
    if key:
        cache.set(key, response.content, _kept_for(topic_id))
    return response


def _kept_for(topic_id: int | None) -> int:
    """How long a page is kept: a listing a minute (it says "3 minutes ago"); a topic page
    until something changes, except in a cache of one process's memory, which cannot hear
    what the task worker or the scheduler change (a badge given at night): a minute too."""
    if topic_id is None or isinstance(caches["default"], LocMemCache):
        return LISTING_TIMEOUT
    return TOPIC_TIMEOUT


def for_visitors(topic_kwarg: str | None = None) -> Callable[[View], View]:
    """A view whose visitors get the kept page, and whose rendered page is kept: a topic's
    page when the URL names the topic (``topic_kwarg``), else a listing. A topic page
    read (kept or not, by anyone) counts as one view of it."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            topic_id = kwargs[topic_kwarg] if topic_kwarg else None
            page = kept(request, topic_id)
            if page is None:
                page = keep(request, topic_id, view(request, *args, **kwargs))
            if topic_id is not None and page.status_code == 200:
                view_counts.count_view(topic_id)  # kept pages are read too
            return page

        return serve

    return decorate


# --- what retires kept pages ----------------------------------------------------------


def _topic_of(instance: Any) -> int | None:
    """The topic a changed row belongs to: a post's, or through its post (a reaction, an
    image), or a tag link's topic."""
    for attribute in ("topic_id", "content_object_id"):
        value = getattr(instance, attribute, None)
        if value is not None:
            return value
    post = getattr(instance, "post", None)
    return getattr(post, "topic_id", None)


def _on_topic_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    bump(instance.pk)


def _on_child_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    bump(_topic_of(instance))  # None (cannot tell): the whole forum


def _on_forum_change(sender: Any, **kwargs: Any) -> None:
    bump()


# What pages show of a member: their name, address and picture.
SHOWN_OF_A_MEMBER = {"display_name", "username", "avatar"}


def _on_member_change(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """A member saved: the forum's pages change only when their name or picture may have
    (not when, say, signing in writes ``last_login``)."""
    if update_fields is None or SHOWN_OF_A_MEMBER & set(update_fields):
        bump()


def _on_tags_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    # taggit adds and removes a topic's tags in bulk and says so with m2m_changed.
    bump(instance.pk)


def connect() -> None:
    from django.contrib.auth import get_user_model

    from .models import Category, Post, PostImage, Reaction, TaggedTopic, Topic, TopicTag

    children: list[type[Model]] = [Post, Reaction, PostImage, TaggedTopic]
    forum_wide: list[type[Model]] = [Category, TopicTag]
    post_save.connect(_on_member_change, sender=get_user_model(), dispatch_uid="forum-page-member")
    post_delete.connect(_on_forum_change, sender=get_user_model(), dispatch_uid="forum-page-gone")
    for signal in (post_save, post_delete):
        signal.connect(_on_topic_change, sender=Topic, dispatch_uid=f"forum-page-topic-{signal}")
        for model in children:
            signal.connect(
                _on_child_change, sender=model, dispatch_uid=f"forum-page-{model}-{signal}"
            )
        for model in forum_wide:
            signal.connect(
                _on_forum_change, sender=model, dispatch_uid=f"forum-page-{model}-{signal}"
            )
    m2m_changed.connect(_on_tags_change, sender=TaggedTopic, dispatch_uid="forum-page-tags")
    badges_changed.connect(_on_forum_change, dispatch_uid="forum-page-badges")
