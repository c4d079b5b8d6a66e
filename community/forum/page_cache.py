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
dates, so they stay until something changes — in a shared cache (Redis). Which requests
may use a kept page and which pages may be kept is hearth.kept_pages' rule, shared with
the site's own pages.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse

from community.badges import badges_changed
from hearth import content_language, kept_pages

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


def generations(topic_id: int | None) -> list[str]:
    """What a topic's page (``topic_id``), or a listing (None), is kept under: the
    forum's generation and the topic's own, or the listings'."""
    return [FORUM, _scope_key(topic_id)]


def bump(topic_id: int | None = None) -> None:
    """Retire the kept pages of one topic and the listings (or, with no topic, of the whole
    forum)."""
    keys = [FORUM] if topic_id is None else [_scope_key(topic_id), LISTINGS]
    kept_pages.retire(keys, what=", ".join(keys))


def for_visitors(topic_kwarg: str | None = None) -> Callable[[View], View]:
    """A view whose visitors get the kept page, and whose rendered page is kept: a topic's
    page when the URL names the topic (``topic_kwarg``), else a listing. A topic page
    read (kept or not, by anyone) counts as one view of it.

    A listing says "3 minutes ago", so it is kept for a minute; a topic page shows dates,
    so it stays until something changes (a minute in one process's memory)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            topic_id = kwargs[topic_kwarg] if topic_kwarg else None
            page = kept_pages.served(
                request,
                lambda: kept_pages.page_key("forum:page", generations(topic_id), request),
                lambda: view(request, *args, **kwargs),
                timeout=LISTING_TIMEOUT if topic_id is None else TOPIC_TIMEOUT,
                parameters=_kept_parameters(request, listing=topic_id is None),
            )
            if topic_id is not None and page.status_code == 200:
                view_counts.count_view(topic_id)  # kept pages are read too
            return page

        return serve

    return decorate


def _kept_parameters(request: HttpRequest, *, listing: bool) -> frozenset[str]:
    """A listing narrowed to a language Hearth offers (``?language=et``, exactly) is kept
    under its own address; any other value gets the page rendered, so made-up values
    never fill the cache."""
    if listing and request.GET.get("language") in content_language.offered_codes():
        return kept_pages.KEPT_PARAMETERS | {"language"}
    return kept_pages.KEPT_PARAMETERS


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


def _on_member_change(
    sender: Any, update_fields: Any = None, created: bool = False, **kwargs: Any
) -> None:
    """A member saved: the forum's pages change only when their name or picture may have
    (not when, say, signing in writes ``last_login``, nor when someone joins: no forum
    page shows a member who has not posted yet)."""
    if created:
        return
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
