"""The rows of a topic page that every reader of one kind reads alike, kept in the cache.

A topic page reads the topic (with its category and author), its tags, the page's posts
(with their authors and the posts they answer) and those authors' top badges: four
queries whose answers are the same for every member who is not a moderator, the same for
every moderator, and the same for every visitor. So they are kept, per kind of reader,
topic and page, under the generations of the topic's kept visitor page (page_cache:
the forum's and the topic's own). Whatever would retire that page — a post, a reaction, a
tag, an image or the topic saved or deleted, a bulk update that says so, a category, a
member's new name or picture, a badge given or taken back — retires these rows with it,
now and again after the transaction commits. The key also carries the reader's language
and time zone (a badge's label is translated). A key taken before the rows are read
means rows read while a change commits are kept where nobody looks.

Only a reader's own held posts and held topic are theirs alone (a spam signal holds
them; their author and moderators see them): a held topic is never kept for members,
and a member with a held post on the page gets the page's rows read for them
(``reader_state`` says so in its one statement). The rest of the page that belongs to
the reader — read position, reactions, bookmarks, draft — never enters these rows.

In one process's memory (no shared cache), rows are kept a minute at most, as kept
pages are: the task worker's changes cannot reach that cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

from community.badges import BadgeLabel, top_badges
from hearth import kept_pages

from . import page_cache
from .models import Post, Topic, TopicUser, is_member, is_moderator

TIMEOUT = page_cache.TOPIC_TIMEOUT
# Where a request keeps the topic's generation stamp (one cache read per request).
STAMPS = "_hearth_topic_rows_stamps"


def reader_kind(user: Any) -> str:
    if is_moderator(user):
        return "moderator"
    return "member" if is_member(user) else "visitor"


def _stamp(request: HttpRequest, pk: int) -> str | None:
    stamps: dict[int, str | None] = request.__dict__.setdefault(STAMPS, {})
    if pk not in stamps:
        stamps[pk] = kept_pages.generation_stamp(page_cache.generations(pk))
    return stamps[pk]


def _key(request: HttpRequest, pk: int, what: str) -> str | None:
    stamp = _stamp(request, pk)
    if stamp is None:
        return None
    return f"forum:rows:{what}:{reader_kind(request.user)}:{pk}:{stamp}"


def _keep(key: str | None, value: Any) -> None:
    if key is not None:
        cache.set(key, value, kept_pages.kept_for(TIMEOUT))


def topic(request: HttpRequest, pk: int, load: Callable[[], Topic | None]) -> Topic | None:
    """The topic (``load()`` reads it for this reader) with its tags (``tag_list``), kept
    when every reader of this kind reads them alike."""
    key = _key(request, pk, "topic")
    kept = cache.get(key) if key is not None else None
    if kept is not None:
        return kept
    found = load()
    if found is None:
        return None
    found.tag_list = list(found.tags.all())
    if found.held_at is None or is_moderator(request.user):
        _keep(key, found)
    return found


@dataclass
class PageRows:
    posts: list[Post]
    badges: dict[int, BadgeLabel]


def page(
    request: HttpRequest,
    the_topic: Topic,
    number: int,
    load: Callable[[], list[Post]],
    *,
    own_held: bool,
) -> PageRows:
    """Page ``number``'s posts (``load()`` reads them for this reader) and their authors'
    top badges, kept unless the reader has held posts of their own on the page."""
    key = None if own_held else _key(request, the_topic.pk, f"page{number}")
    kept = cache.get(key) if key is not None else None
    if kept is None:
        posts = load()
        kept = PageRows(posts, top_badges(post.author_id for post in posts))
        for post in posts:
            # The topic comes from the page's own read, not from a copy in the rows.
            post._state.fields_cache.pop("topic", None)
        _keep(key, kept)
    for post in kept.posts:
        post.topic = the_topic
    return kept


# --- listings: the forum index's latest topics, a category's page ----------------------


def listing(request: HttpRequest, what: str, load: Callable[[], list[Topic]]) -> list[Topic] | None:
    """A listing's topics as every reader of this kind reads them (``load()`` reads them,
    with their tag lists), kept under the forum's and the listings' generations (a topic,
    post, tag or category changed, a member renamed, a badge). None when the cache keeps
    nothing. The reader's own read position and level are not in them (:func:`with_reader`);
    a member who muted anything gets their own listing instead (the caller sees to it)."""
    stamp = kept_pages.generation_stamp(page_cache.generations(None))
    if stamp is None:
        return None
    key = f"forum:rows:list:{reader_kind(request.user)}:{what}:{stamp}"
    kept = cache.get(key)
    if kept is None:
        kept = load()
        _keep(key, kept)
    return kept


def with_reader(topics: list[Topic], member: Any) -> list[Topic]:
    """Each topic with the member's read position (``my_last_read``, None when never
    opened) and own level (``my_level``), in one query."""
    mine = {
        topic_id: (last_read, level)
        for topic_id, last_read, level in TopicUser.objects.filter(
            member=member, topic_id__in=[topic.pk for topic in topics]
        ).values_list("topic_id", "last_read_number", "level")
    }
    for topic in topics:
        topic.my_last_read, topic.my_level = mine.get(topic.pk, (None, None))
    return topics
