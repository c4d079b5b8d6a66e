"""The forum in the one search (/search/): topics and replies, and the search within one
topic (``/search/?topic=12&q=…``, the form on a topic page).

Search shows what lists show: topics from ``Topic.objects.listed_for(user)``, and posts
``user`` may read (``Post.objects.visible_to(user)``) that are neither hidden nor held,
in those topics — never hidden ones, even to moderators. Everything a result page shows
comes with the rows (the topic, the author, the opening post's text), so the page costs
the same number of queries for one result or two hundred.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from wagtail.search import index
from wagtail.search.tasks import insert_or_update_object_task

from hearth.content_language import search_in_language
from hearth.params import ParamError, parse_int
from hearth.search import (
    SearchScope,
    SearchSource,
    register_search_source,
    search_language,
    search_scope,
)

from . import page_cache
from .models import LISTED, Post, Topic

TOPIC_SCOPE = "topic"
# The text fields of a post: a save that changes one of them refreshes the search index
# (a reaction, a flag or hiding a post changes no words: the rows filter those).
INDEXED_FIELDS = frozenset({"source", "html"})


def search_topics(query: str, request: HttpRequest) -> Any:
    """Topics matched on title, opening post and tags; narrowed to one language
    (``?language=``), matched with that language's text search configuration."""
    opening = Post.objects.filter(LISTED, topic=OuterRef("pk"), number=1).values("html")[:1]
    topics = Topic.objects.listed_for(request.user).annotate(opening_html=Subquery(opening))
    language = search_language(request)
    if language:
        return search_in_language(topics.filter(language=language), query, language)
    return topics.search(query)


def _topic_id(value: str) -> int | None:
    try:
        return parse_int(value, minimum=1)
    except ParamError:
        return None


def _searched_topics(request: HttpRequest) -> Any:
    return Topic.objects.listed_for(request.user)


def topic_in_scope(value: str, request: HttpRequest) -> tuple[str, str] | None:
    """The topic ``?topic=<id>`` names, if ``request.user`` may find it."""
    topic_id = _topic_id(value)
    topic = (
        _searched_topics(request).filter(pk=topic_id).only("title", "slug").first()
        if topic_id
        else None
    )
    return (topic.title, topic.get_absolute_url()) if topic else None


def search_posts(query: str, request: HttpRequest) -> Any:
    """Replies matched on their words (the opening post finds its topic), or every post of
    one topic when the search is narrowed to it."""
    readable = Post.objects.visible_to(request.user).listed()
    readable = readable.filter(topic__in=_searched_topics(request))
    scope = search_scope(request)
    if scope is not None and scope.param == TOPIC_SCOPE:
        topic_id = _topic_id(scope.value)
        if topic_id is None:
            return Post.objects.none()
        readable = readable.filter(topic_id=topic_id)
    else:
        readable = readable.filter(number__gt=1)
    language = search_language(request)
    if language:
        readable = readable.filter(topic__language=language)
    posts = Post.objects.filter(pk__in=readable.values("pk")).select_related("topic", "author")
    if language:
        return search_in_language(posts, query, language)
    return posts.search(query)


def _reindex_post(sender: Any, instance: Post, update_fields: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw") or (update_fields is not None and not INDEXED_FIELDS & set(update_fields)):
        return
    insert_or_update_object_task.enqueue(
        instance._meta.app_label, instance._meta.model_name, str(instance.pk)
    )


def _unindex_post(sender: Any, instance: Post, **kwargs: Any) -> None:
    index.remove_object(instance)


def register() -> None:
    # Kept results are retired with the forum's kept pages (page_cache): any topic, post,
    # tag, category or author's name that changes.
    generations = (page_cache.FORUM, page_cache.LISTINGS)
    register_search_source(
        SearchSource("forum-topics", "Topic", search=search_topics, generations=generations)
    )
    register_search_source(
        SearchSource(
            "forum-posts",
            "Reply",
            search=search_posts,
            scope=SearchScope(TOPIC_SCOPE, describe=topic_in_scope),
            generations=generations,
        )
    )
    post_save.connect(_reindex_post, sender=Post, dispatch_uid="forum-post-search-index")
    post_delete.connect(_unindex_post, sender=Post, dispatch_uid="forum-post-search-unindex")
