"""The forum's slots on shared pages (home, profile) and its source for the one search.

All three show what lists show (``Topic.objects.listed_for(user)``): topics the reader
may open, never hidden ones, even to moderators.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hearth.content import register_finder
from hearth.search import SearchSource, register_search_source
from hearth.sections import register_section

from .models import Topic

HOME_TOPICS = 6
PROFILE_TOPICS = 5


def latest_topics(request: HttpRequest, **kwargs: Any) -> tuple[str, dict[str, Any]] | None:
    topics = list(
        Topic.objects.listed_for(request.user)
        .select_related("category")
        .order_by("-last_activity_at", "-id")[:HOME_TOPICS]
    )
    if not topics:
        return None
    return "forum/_home_latest.html", {"topics": topics}


def recent_topics(
    request: HttpRequest, *, member: Any, **kwargs: Any
) -> tuple[str, dict[str, Any]] | None:
    topics = list(
        Topic.objects.listed_for(request.user)
        .filter(author=member)
        .select_related("category")
        .order_by("-created_at", "-id")[:PROFILE_TOPICS]
    )
    if not topics:
        return None
    return "forum/_profile_topics.html", {"topics": topics}


def search_topics(query: str, request: HttpRequest) -> Any:
    """Topics matched on title, opening post and tags."""
    return Topic.objects.listed_for(request.user).search(query)


def topic_at(match: Any) -> Topic | None:
    """The topic a shared address shows (``hearth.content``: the referral hub pays the
    author of a topic someone joined through)."""
    pk = match.kwargs.get("pk")
    return Topic.objects.filter(pk=pk).select_related("author").first() if pk else None


def register() -> None:
    register_finder(["forum:topic", "forum:topic-short"], topic_at)
    register_section("home", order=30)(latest_topics)
    register_section("profile", order=20)(recent_topics)
    register_search_source(SearchSource("forum-topics", "Topic", search=search_topics))
