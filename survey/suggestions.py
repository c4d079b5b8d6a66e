"""What a promoter might share with a friend, besides their personal link.

A friend is more likely to come for something worth reading than for a bare invitation,
so a promoter is offered a link to their own best public guide (most helpful votes),
else their own best public topic (most replies), else the public topic they read most.
The link is a content-targeted referral link, so the hub credits the promoter and the
content both (``referrals.recruiting``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count

from blog.models import live_guides_crediting
from community.forum.models import Topic, TopicUser
from community.models import User


@dataclass(frozen=True)
class Suggestion:
    title: str
    path: str
    why: str


def for_member(member: User) -> Suggestion | None:
    """The page to suggest to ``member`` (public, so a friend can open it), or None."""
    guide = (
        live_guides_crediting(member)
        .annotate(votes=Count("helpful_votes", distinct=True))
        .order_by("-votes", "-first_published_at", "-pk")
        .first()
    )
    if guide is not None:
        return Suggestion(guide.title, guide.url, "your guide members found most helpful")
    public = Topic.objects.listed_for(AnonymousUser())
    topic = public.filter(author=member).order_by("-reply_count", "-created_at", "-pk").first()
    if topic is not None:
        return Suggestion(topic.title, topic.get_absolute_url(), "your topic with most replies")
    read = (
        TopicUser.objects.filter(member=member, topic__in=public)
        .select_related("topic")
        .order_by("-last_read_number", "-pk")
        .first()
    )
    if read is not None:
        topic = read.topic
        return Suggestion(topic.title, topic.get_absolute_url(), "the topic you read most")
    return None
