"""The forum's slots on shared pages (home, profile); its sources for the one search are
in community.forum.search.

Both show what lists show (``Topic.objects.listed_for(user)``): topics the reader
may open, never hidden ones, even to moderators.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.digest import ITEMS_PER_PART, DigestItem, DigestPart, absolute, register_part
from hearth import kept_pages
from hearth.content import register_finder
from hearth.sections import register_section

from . import page_cache, search
from .actions.levels import without_muted
from .models import Post, Reaction, Topic, TopicUser

HOME_TOPICS = 6
PROFILE_TOPICS = 5


def latest_topics(request: HttpRequest, **kwargs: Any) -> tuple[str, dict[str, Any]] | None:
    topics = list(
        without_muted(Topic.objects.listed_for(request.user), request.user)
        .select_related("category")
        .order_by("-last_activity_at", "-id")[:HOME_TOPICS]
    )
    if not topics:
        return None
    return "forum/_home_latest.html", {"topics": topics}


# A profile's counts and topics are kept until the forum changes (any topic, post or
# reaction retires the forum's kept pages, page_cache), for a day at most.
ACTIVITY_SECONDS = 24 * 3600


def _reader(member: Any, viewer: Any) -> str:
    """Readers who count the same posts: a moderator counts more, the member their own held
    posts."""
    if not viewer.is_authenticated:
        return "visitor"
    if viewer.pk == member.pk:
        return "self"
    return "moderator" if viewer.is_moderator else "member"


def recent_topics(
    request: HttpRequest, *, member: Any, **kwargs: Any
) -> tuple[str, dict[str, Any]] | None:
    """The member's latest topics the reader may see; kept like the activity counts."""
    stamp = kept_pages.generation_stamp([page_cache.FORUM, page_cache.LISTINGS])
    key = f"forum:profile-topics:{member.pk}:{_reader(member, request.user)}:{stamp}"
    topics = cache.get(key) if stamp else None
    if topics is None:
        topics = list(
            Topic.objects.listed_for(request.user)
            .filter(author=member)
            .select_related("category")
            .order_by("-created_at", "-id")[:PROFILE_TOPICS]
        )
        if stamp:
            cache.set(key, topics, ACTIVITY_SECONDS)
    if not topics:
        return None
    return "forum/_profile_topics.html", {"topics": topics}


def activity(
    request: HttpRequest, *, member: Any, **kwargs: Any
) -> tuple[str, dict[str, Any]] | None:
    """What the member did in the forum, counted over what the reader may see; kept per
    member and kind of reader until the forum changes."""
    stamp = kept_pages.generation_stamp([page_cache.FORUM, page_cache.LISTINGS])
    key = f"forum:activity:{member.pk}:{_reader(member, request.user)}:{stamp}"
    counts = cache.get(key) if stamp else None
    if counts is None:
        counts = _activity_counts(request.user, member)
        if stamp:
            cache.set(key, counts, ACTIVITY_SECONDS)
    if not any(counts.values()):
        return None
    return "forum/_profile_activity.html", counts


def _activity_counts(viewer: Any, member: Any) -> dict[str, int]:
    topics = Topic.objects.listed_for(viewer).aggregate(
        started=Count("pk", filter=Q(author=member)),
        solutions=Count("pk", filter=Q(solution__author=member, solution__hidden=False)),
    )
    replies = Post.objects.visible_to(viewer).filter(author=member, number__gt=1).count()
    reactions = Reaction.objects.filter(
        Q(member=member) | Q(post__author=member, post__deleted_at__isnull=True)
    ).aggregate(
        given=Count("pk", filter=Q(member=member)),
        received=Count("pk", filter=Q(post__author=member, post__deleted_at__isnull=True)),
    )
    return topics | reactions | {"replies": replies}


def digest_topics(member: Any, since: Any) -> DigestPart | None:
    """The busiest topics started since the member's last visit that they never opened."""
    opened = TopicUser.objects.filter(topic=OuterRef("pk"), member=member, last_read_number__gt=0)
    topics = list(
        without_muted(Topic.objects.listed_for(member), member)
        .filter(created_at__gte=since)
        .exclude(author=member)
        .exclude(Exists(opened))
        .select_related("category")
        .order_by("-reply_count", "-last_activity_at", "-id")[:ITEMS_PER_PART]
    )
    if not topics:
        return None
    items = tuple(
        DigestItem(
            title=topic.title,
            url=absolute(topic.get_absolute_url()),
            detail=ngettext(
                "%(category)s · %(count)d reply",
                "%(category)s · %(count)d replies",
                topic.reply_count,
            )
            % {"category": topic.category.name, "count": topic.reply_count},
        )
        for topic in topics
    )
    return DigestPart(_("New in the forum"), items)


def topic_at(match: Any) -> Topic | None:
    """The topic a shared address shows (``hearth.content``: the referral hub pays the
    author of a topic someone joined through)."""
    pk = match.kwargs.get("pk")
    return Topic.objects.filter(pk=pk).select_related("author").first() if pk else None


def register() -> None:
    register_finder(["forum:topic", "forum:topic-short"], topic_at)
    register_section("home", order=30)(latest_topics)
    register_section("profile", order=10)(activity)
    register_part(order=10)(digest_topics)
    register_section("profile", order=20)(recent_topics)
    search.register()
