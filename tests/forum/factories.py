"""Forum factories: categories, topics and replies made through the real actions."""

from __future__ import annotations

import itertools

from django.core.cache import cache

from community.forum import actions
from community.forum.actions import rules
from community.forum.models import Category, Post, ReadAccess, StartPermission, Topic, TopicTag
from community.models import User

_counter = itertools.count(1)


def make_category(**overrides) -> Category:
    n = next(_counter)
    defaults = {
        "name": f"Category {n}",
        "slug": f"category-{n}",
        "description": "A place to talk.",
        "read_access": ReadAccess.PUBLIC,
        "who_may_start": StartPermission.MEMBERS,
    }
    defaults.update(overrides)
    return Category.objects.create(**defaults)


def make_tag(name: str) -> TopicTag:
    tag, _ = TopicTag.objects.get_or_create(name=name, defaults={"slug": name.replace(" ", "-")})
    return tag


def forget_rate_limit(member: User) -> None:
    # Tests post many times in a row; the 20-second rule has its own tests.
    cache.delete(rules._rate_key(member))


def make_topic(
    *,
    author: User,
    category: Category | None = None,
    title: str | None = None,
    body: str = "Hello everyone, this is the opening post.",
    tags: tuple[str, ...] = (),
) -> Topic:
    forget_rate_limit(author)
    topic = actions.start_topic(
        category=category or make_category(),
        author=author,
        title=title or f"Topic number {next(_counter)}",
        body=body,
        tags=tags,
    )
    forget_rate_limit(author)
    return topic


def make_reply(*, topic: Topic, author: User, body: str = "A thoughtful reply.") -> Post:
    forget_rate_limit(author)
    post = actions.reply(topic=topic, author=author, body=body)
    forget_rate_limit(author)
    return post


def bulk_posts(topic: Topic, author: User, count: int) -> None:
    """Add ``count`` replies quickly (for query-count tests), keeping the counters right."""
    start = topic.posts_total + 1
    Post.objects.bulk_create(
        [
            Post(
                topic=topic, number=n, author=author, source=f"Reply {n}", html=f"<p>Reply {n}</p>"
            )
            for n in range(start, start + count)
        ]
    )
    Topic.objects.filter(pk=topic.pk).update(posts_total=start + count - 1)
    topic.refresh_from_db()
    topic.refresh_stats()
    topic.category.refresh_stats()
