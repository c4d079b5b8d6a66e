"""Spam signals: Discourse's idea, small. A post that trips one is saved but held for a
moderator (``Post.held_at``, ``Post.held_reason``) instead of being published.

- a new member (trust level 0) posts more links than ``new_member_max_links``;
- a member posts the same words (spaces and case aside) in another topic within
  ``duplicate_window_minutes`` (short posts such as "Thanks, that worked!" repeat
  innocently, so only posts of ``duplicate_min_chars`` or more count);
- a new member posts in more than ``new_member_max_topics`` topics within
  ``new_member_topics_window_minutes``.

Moderators and regulars (trust level 2) are never held. The limits are
``settings.HEARTH_SPAM`` (safe defaults below; a partial dict overrides only what it
names). Each signal says why in plain words, which the author and the moderator read.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from community import trust
from community.models import User
from hearth.text import links_in

from .models import Post, Topic

DEFAULTS: dict[str, int] = {
    "new_member_max_links": 2,
    "duplicate_window_minutes": 60,
    "duplicate_min_chars": 60,
    "new_member_max_topics": 3,
    "new_member_topics_window_minutes": 10,
}


def limits() -> dict[str, int]:
    configured = getattr(settings, "HEARTH_SPAM", {}) or {}
    return {**DEFAULTS, **{k: int(v) for k, v in configured.items() if k in DEFAULTS}}


def normalised(body: str) -> str:
    return " ".join(body.split()).casefold()


def count_links(body: str) -> int:
    """The links the post would show: found by the one linkifier (hearth.text), like the
    forum's Markdown, so what counts here is what becomes clickable."""
    return len(links_in(body))


def hold_reason(*, author: User, body: str, topic: Topic | None = None) -> str:
    """Why this post waits for a moderator ("" when it does not). ``topic`` is the topic
    replied to (None for a new topic)."""
    if author.is_moderator or trust.at_least(author, trust.REGULAR):
        return ""
    new_member = not trust.at_least(author, trust.MEMBER)
    limit = limits()
    now = timezone.now()
    if new_member:
        links = count_links(body)
        if links > limit["new_member_max_links"]:
            allowed = limit["new_member_max_links"]
            return ngettext(
                "it has %(links)d link; new members may post %(allowed)d before a moderator looks",
                "it has %(links)d links; new members may post %(allowed)d before a moderator looks",
                links,
            ) % {"links": links, "allowed": allowed}
    words = normalised(body)
    if len(words) >= limit["duplicate_min_chars"]:
        since = now - timedelta(minutes=limit["duplicate_window_minutes"])
        recent = (
            Post.objects.filter(author=author, created_at__gte=since, deleted_at__isnull=True)
            .select_related("topic")
            .order_by("-created_at")
        )
        if topic is not None:
            recent = recent.exclude(topic=topic)
        for post in recent[:50]:
            if normalised(post.source) == words:
                minutes = limit["duplicate_window_minutes"]
                return ngettext(
                    "the same words were posted in “%(title)s” in the last %(n)d minute",
                    "the same words were posted in “%(title)s” in the last %(n)d minutes",
                    minutes,
                ) % {"title": post.topic.title, "n": minutes}
    if new_member:
        minutes = limit["new_member_topics_window_minutes"]
        since = now - timedelta(minutes=minutes)
        topics = set(
            Post.objects.filter(author=author, created_at__gte=since, deleted_at__isnull=True)
            .values_list("topic_id", flat=True)
            .distinct()
        )
        topics.add(topic.pk if topic is not None else 0)  # 0: the topic being started
        allowed = limit["new_member_max_topics"]
        if len(topics) > allowed:
            return ngettext(
                "it is a post in %(n)d topics within %(minutes)d minute; new members may "
                "post in %(allowed)d before a moderator looks",
                "it is a post in %(n)d topics within %(minutes)d minutes; new members may "
                "post in %(allowed)d before a moderator looks",
                minutes,
            ) % {"n": len(topics), "minutes": minutes, "allowed": allowed}
    return ""
