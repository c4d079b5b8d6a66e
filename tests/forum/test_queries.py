"""Speed is pinned with query counts: the same on page 1 and page 50, with 1 or 20 reactions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.forum.models import Post, Reaction
from community.models import REACTION_KEYS
from tests.factories import make_member
from tests.forum.factories import bulk_posts, make_category, make_tag, make_topic

# A topic page costs exactly this many queries on a re-read (no read position to move),
# whatever its length and page: the README quotes these numbers.
# A member's page as they browse: the bell's count is in the cache (it is read once, then
# kept until it changes: community/notifications.py), so each count below warms it first.
TOPIC_PAGE_QUERIES = {"visitor_client": 4, "member_client": 9, "moderator_client": 9}
TOPIC_PAGE_MAX = max(TOPIC_PAGE_QUERIES.values()) + 1
CATEGORY_PAGE_QUERIES = {"visitor_client": 3, "member_client": 6, "moderator_client": 7}


def _warm(client) -> None:
    """What a member's first page reads once: the bell's count."""
    client.get("/forum/")


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _react(posts, reactors, per_post: int) -> None:
    rows = []
    for post in posts:
        for i in range(per_post):
            rows.append(
                Reaction(
                    post=post,
                    member=reactors[i % len(reactors)],
                    kind=REACTION_KEYS[i // len(reactors)],
                )
            )
    Reaction.objects.bulk_create(rows)
    for post in posts:
        kinds = {}
        for row in rows:
            if row.post_id == post.pk:
                kinds[row.kind] = kinds.get(row.kind, 0) + 1
        Post.objects.filter(pk=post.pk).update(reaction_counts=kinds)


@pytest.fixture
def big_topic(db, member, other_member):
    topic = make_topic(author=member, tags=())
    bulk_posts(topic, other_member, 999)
    assert topic.posts_total == 1000
    return topic


@pytest.mark.parametrize("persona", ["member_client", "moderator_client", "visitor_client"])
def test_it_costs_the_same_on_page_1_and_page_50_of_a_1000_post_topic(request, persona, big_topic):
    client = request.getfixturevalue(persona)
    _warm(client)
    url = big_topic.get_absolute_url()
    # Both visits move the read position forward (one write each); a re-read writes nothing.
    first = _count(client, url)
    fiftieth = _count(client, f"{url}?page=50")
    again = _count(client, url)
    if persona == "visitor_client":
        # A visitor's second look at a page is the kept copy (forum/page_cache.py).
        assert (first, fiftieth, again) == (TOPIC_PAGE_QUERIES[persona],) * 2 + (0,)
    else:
        expected = TOPIC_PAGE_QUERIES[persona]
        assert (first, fiftieth, again) == (expected + 1, expected + 1, expected)


def test_it_costs_the_same_with_1_or_20_reactions_per_post(member_client, big_topic):
    reactors = [make_member() for _ in range(4)]
    posts_p2 = list(big_topic.posts.filter(number__range=(21, 40)))
    posts_p3 = list(big_topic.posts.filter(number__range=(41, 60)))
    _react(posts_p2, reactors, 1)
    _react(posts_p3, reactors, 20)
    url = big_topic.get_absolute_url()
    _warm(member_client)
    one = _count(member_client, f"{url}?page=2")
    twenty = _count(member_client, f"{url}?page=3")
    assert one == twenty <= TOPIC_PAGE_MAX
    page = member_client.get(f"{url}?page=3").content.decode()
    assert page.count('class="reaction__count">4<') >= 20


def test_the_topic_page_lists_20_posts_and_the_right_range(member_client, big_topic):
    page = member_client.get(f"{big_topic.get_absolute_url()}?page=50").content.decode()
    assert 'id="post-981"' in page and 'id="post-1000"' in page
    assert 'id="post-980"' not in page
    assert "Page 50 of 50" in page


@pytest.mark.parametrize("persona", ["member_client", "moderator_client", "visitor_client"])
def test_the_category_page_with_30_topics_costs_the_same_as_with_a_page_of_them(
    request, persona, member
):
    category = make_category()
    tags = [make_tag("sourdough"), make_tag("ovens"), make_tag("flour")]
    for i in range(31):
        make_topic(author=member, category=category, title=f"Topic {i:02d} about bread")
    for topic in category.topics.all():
        topic.tags.set(tags)
    client = request.getfixturevalue(persona)
    _warm(client)
    url = category.get_absolute_url()
    first = _count(client, url)
    second = _count(client, f"{url}?page=2")
    assert first == second == CATEGORY_PAGE_QUERIES[persona]
    body = client.get(url).content.decode()
    assert body.count('<li class="topic-row') == 30
    assert "sourdough" in body


def test_the_base_template_cost_is_counted(member_client, big_topic, django_assert_max_num_queries):
    # Session, user, permissions for the admin link and groups are all in (the bell's count
    # once it is kept).
    _warm(member_client)
    with django_assert_max_num_queries(TOPIC_PAGE_MAX):
        member_client.get(big_topic.get_absolute_url())
