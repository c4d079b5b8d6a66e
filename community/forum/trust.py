"""The forum's part of a member's trust level (community.trust): posts read, posts and
replies written, from rows the forum keeps anyway (read positions, listed posts)."""

from __future__ import annotations

from django.db.models import Sum

from community import trust
from community.forum.models import Post, TopicUser
from community.models import User


def activity(member: User) -> trust.Activity:
    posts = Post.objects.listed().filter(author=member)
    read = TopicUser.objects.filter(member=member).aggregate(n=Sum("last_read_number"))["n"]
    return trust.Activity(
        posts_read=read or 0,
        posts=posts.count(),
        replies=posts.filter(number__gt=1).count(),
    )


def register_activity() -> None:
    trust.register_activity(activity)
