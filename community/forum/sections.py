"""The forum's slots on shared pages (home, profile) and its source for the one search."""

from __future__ import annotations

from django.http import HttpRequest

from hearth.search import SearchSource, register_search_source
from hearth.sections import register_section

from .models import Category, Topic

HOME_TOPICS = 6
PROFILE_TOPICS = 5


def _readable_topics(request: HttpRequest):
    return Topic.objects.listed().filter(category__in=Category.objects.readable_by(request.user))


def latest_topics(request: HttpRequest, **kwargs):
    topics = list(
        _readable_topics(request)
        .select_related("category")
        .order_by("-last_activity_at", "-id")[:HOME_TOPICS]
    )
    if not topics:
        return None
    return "forum/_home_latest.html", {"topics": topics}


def recent_topics(request: HttpRequest, *, member, **kwargs):
    topics = list(
        _readable_topics(request)
        .filter(author=member)
        .select_related("category")
        .order_by("-created_at", "-id")[:PROFILE_TOPICS]
    )
    if not topics:
        return None
    return "forum/_profile_topics.html", {"topics": topics}


def search_topics(query: str, request: HttpRequest):
    """Listed topics in categories the user may read, matched on title, opening post, tags."""
    readable = list(Category.objects.readable_by(request.user).values_list("pk", flat=True))
    return Topic.objects.filter(
        category_id__in=readable, hidden=False, deleted_at__isnull=True
    ).search(query)


def register() -> None:
    register_section("home", order=30)(latest_topics)
    register_section("profile", order=20)(recent_topics)
    register_search_source(SearchSource("forum-topics", "Topic", search=search_topics))
