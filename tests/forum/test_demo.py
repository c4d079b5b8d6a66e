from __future__ import annotations

import io

import pytest

from community import demo as people
from community.forum import demo
from community.forum.models import Category, Post, Reaction, Topic, TopicTag
from community.models import Notification

pytestmark = pytest.mark.django_db


def _state():
    return (
        Category.objects.count(),
        Topic.objects.count(),
        Post.objects.count(),
        Reaction.objects.count(),
        TopicTag.objects.count(),
        list(
            Topic.objects.order_by("pk").values_list(
                "reply_count", "last_post_number", "solution_id"
            )
        ),
    )


def test_the_demo_forum_has_what_the_issue_asks_for_and_loads_twice_safely():
    people.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    first = _state()
    demo.load(stdout=io.StringIO())
    assert _state() == first

    assert Category.objects.count() == 4
    assert Category.objects.filter(who_may_start="moderators").count() == 1
    assert Category.objects.filter(read_access="members").count() == 1
    assert Topic.objects.count() == 27
    assert Topic.objects.exclude(solution=None).exists()
    assert Topic.objects.filter(tags__isnull=False).distinct().count() >= 15
    assert Reaction.objects.exists()
    assert Topic.objects.values("author").distinct().count() >= 5
    # Demo data does not notify anyone.
    assert not Notification.objects.exists()
    # The counters match the rows.
    for topic in Topic.objects.all():
        visible = topic.posts.filter(hidden=False, deleted_at__isnull=True)
        assert topic.reply_count == visible.count() - 1
        assert topic.posts_total == topic.posts.count()
    for category in Category.objects.all():
        assert category.topic_count == category.topics.filter(hidden=False).count()


def test_the_demo_pages_render(visitor_client, client):
    people.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    assert visitor_client.get("/forum/").status_code == 200
    for topic in Topic.objects.filter(category__read_access="public"):
        assert visitor_client.get(topic.get_absolute_url()).status_code == 200
    assert (
        "Welcome to the Hearth forum" in visitor_client.get("/search/?q=welcome").content.decode()
    )
