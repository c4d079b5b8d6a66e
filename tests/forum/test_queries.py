"""Speed is pinned with query counts: the same on page 1 and page 50, with 1 or 20 reactions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community.forum import page_cache
from community.forum.models import Post, Reaction
from community.models import MODERATORS_GROUP, REACTION_KEYS
from tests.factories import make_member
from tests.forum.factories import bulk_posts, make_category, make_tag, make_topic

# A topic page costs exactly this many queries on a re-read (no read position to move),
# whatever its length and page: the README quotes these numbers. The first is the cost
# when nobody of the reader's kind has read the page since the topic last changed; the
# second when another has (its topic, tags, posts and badges kept: topic_rows.py).
# A member's page as they browse: the bell's count is in the cache (it is read once, then
# kept until it changes: community/notifications.py), so each count below warms it first.
TOPIC_PAGE_QUERIES = {"visitor_client": (4, 0), "member_client": (9, 5), "moderator_client": (9, 5)}
TOPIC_PAGE_MAX = max(afresh for afresh, _ in TOPIC_PAGE_QUERIES.values()) + 1
# A category page: its rows read afresh, and kept (another reader of the kind read them
# since a topic changed: topic_rows.listing; a visitor's whole page is kept).
CATEGORY_PAGE_QUERIES = {
    "visitor_client": (3, 0),
    "member_client": (7, 5),
    "moderator_client": (8, 6),
}


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
    afresh, kept = TOPIC_PAGE_QUERIES[persona]
    # Both visits move a member's read position forward (one write each); a re-read
    # writes nothing. Each visit reads the rows afresh: the topic changed in between.
    write = 0 if persona == "visitor_client" else 1
    assert _count(client, url) == afresh + write
    page_cache.bump(big_topic.pk)
    assert _count(client, f"{url}?page=50") == afresh + write
    # A visitor's second look at a page is the kept copy (forum/page_cache.py); a
    # member's reads the kept rows.
    assert _count(client, f"{url}?page=50") == kept


@pytest.mark.parametrize("persona", ["member_client", "moderator_client"])
def test_a_second_reader_of_the_same_kind_reads_the_kept_rows(request, persona, big_topic):
    client = request.getfixturevalue(persona)
    reader = make_member()
    if persona == "moderator_client":
        reader.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    first = Client()
    first.force_login(reader)
    url = f"{big_topic.get_absolute_url()}?page=50"
    _warm(first)
    _count(first, url)
    _warm(client)
    # Their own read position is written (one query); the rest is theirs or kept.
    assert _count(client, url) == TOPIC_PAGE_QUERIES[persona][1] + 1


def test_it_costs_the_same_with_1_or_20_reactions_per_post(member_client, big_topic):
    reactors = [make_member() for _ in range(4)]
    posts_p2 = list(big_topic.posts.filter(number__range=(21, 40)))
    posts_p3 = list(big_topic.posts.filter(number__range=(41, 60)))
    _react(posts_p2, reactors, 1)
    _react(posts_p3, reactors, 20)
    url = big_topic.get_absolute_url()
    _warm(member_client)
    one = _count(member_client, f"{url}?page=2")
    page_cache.bump(big_topic.pk)  # each page's rows read afresh
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
    afresh, kept = CATEGORY_PAGE_QUERIES[persona]
    assert _count(client, url) == _count(client, f"{url}?page=2") == afresh
    assert _count(client, f"{url}?page=2") == kept
    body = client.get(url).content.decode()
    assert body.count('<li class="topic-row') == 30
    assert "sourdough" in body


def test_the_base_template_cost_is_counted(member_client, big_topic, django_assert_max_num_queries):
    # Session, user, permissions for the admin link and groups are all in (the bell's count
    # once it is kept).
    _warm(member_client)
    with django_assert_max_num_queries(TOPIC_PAGE_MAX):
        member_client.get(big_topic.get_absolute_url())
