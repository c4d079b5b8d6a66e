"""Rows of a topic listing (forum/_topic_row.html) and the forum index's categories
(forum/_index_categories.html), rendered once and kept in the cache, the way the topic
page keeps its posts (fragments.py).

A row's cache key is a hash of everything the row shows, as plain values: the topic's
title, flags, counts, category, author, tags and last poster, the reader's read position
and unread count, whether the topic is "new" to them, and the "3 minutes ago" text as it
reads now; plus the template's source and the active language and time zone. So a kept
row is never stale: a reply, an edit, a rename, a read, time passing — any change that
shows changes a value, hence the key, and the row is rendered afresh. Readers in the
same position share rows. The categories are kept the same way, as one piece: their
names, counts, latest topics and times, and which of them the reader may read.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.template import loader
from django.utils.safestring import SafeString, mark_safe

from hearth import kept_pages
from hearth.i18n import reader_locale
from hearth.templatetags.hearth_time import when

from .models import Category, Topic

TEMPLATE = "forum/_topic_row.html"
CATEGORIES_TEMPLATE = "forum/_index_categories.html"
# A row unused this long drops out; a changed row simply gets a new key.
TIMEOUT = 24 * 3600

_versions: dict[str, str] = {}


def _template_version(name: str = TEMPLATE) -> str:
    """A hash of the template's source: a deploy that changes it renders anew."""
    if name not in _versions:
        template: Any = loader.get_template(name)  # the Django backend's wrapper
        _versions[name] = hashlib.sha256(template.template.source.encode()).hexdigest()[:12]
    return _versions[name]


def _digest(values: Any) -> str:
    where = reader_locale()
    return hashlib.blake2b(repr((where, values)).encode(), digest_size=16).hexdigest()


def row_values(
    topic: Topic, *, member: bool, new_since: datetime, show_category: bool
) -> tuple[Any, ...]:
    """Everything the row shows, as plain values (the tags: ``models.with_tag_lists``)."""
    author = topic.author
    # Only a listing across categories shows (so loads) each topic's category.
    category = topic.category if show_category else None
    return (
        topic.pk,
        topic.slug,
        topic.title,
        topic.pinned,
        topic.locked,
        topic.solution_id,
        topic.reply_count,
        topic.last_post_number,
        str(when(topic.last_activity_at)),
        (category.slug, category.name, category.colour) if category is not None else None,
        topic.language,
        (author.username, author.name) if author is not None else None,
        tuple((tag.slug, tag.name) for tag in topic.tag_list),
        topic.last_poster.name if topic.last_poster is not None else None,
        member,
        getattr(topic, "my_last_read", None) if member else None,
        getattr(topic, "my_unread", None) if member else None,
        member and topic.last_activity_at > new_since,
    )


def render_rows(
    request: Any, topics: list[Topic], *, new_since: datetime, show_category: bool
) -> list[SafeString]:
    """Each topic's row, from the cache where it is, rendered (and kept) where not."""
    member = request.user.is_authenticated
    shown = {"member": member, "new_since": new_since, "show_category": show_category}
    keys = [
        f"forum:row:{_template_version()}:{_digest(row_values(topic, **shown))}" for topic in topics
    ]
    compiled = loader.get_template(TEMPLATE)

    def render(index: int) -> str:
        return compiled.render(
            {
                "t": topics[index],
                "user": request.user,
                "new_since": new_since,
                "show_category": show_category,
            }
        )

    rows = kept_pages.kept_fragments(keys, render, TIMEOUT)
    return [mark_safe(html) for html in rows]  # noqa: S308 (rendered by the template)


def category_values(category: Category) -> tuple[Any, ...]:
    """Everything the index shows of a category (``readable`` set by the page)."""
    shown = category.readable and category.last_topic_id is not None
    last = category.last_topic if shown else None
    return (
        category.pk,
        category.slug,
        category.name,
        category.colour,
        category.description,
        category.members_only,
        category.moderators_start,
        category.language,
        category.topic_count,
        category.readable,
        (last.pk, last.slug, last.title) if last is not None else None,
        str(when(category.last_activity_at)) if shown else "",
    )


def render_categories(categories: list[Category], *, language: str | None = None) -> SafeString:
    """The index's list of categories, from the cache or rendered (and kept). With the
    index narrowed to a ``language``, the categories' links keep it (so it is in the key)."""
    values = (language, tuple(category_values(category) for category in categories))
    key = f"forum:categories:{_template_version(CATEGORIES_TEMPLATE)}:{_digest(values)}"
    html = cache.get(key)
    if html is None:
        context = {"categories": categories, "language": language}
        html = loader.get_template(CATEGORIES_TEMPLATE).render(context)
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 (rendered by the template)
