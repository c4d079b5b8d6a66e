"""Replies in the one search (/search/): found by their words, shown as the post (linked to
its number in the topic, with the topic's title and who wrote it), with a snippet of the
rendered text and the match marked; search within one topic; what nobody may read stays
out."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.forum import actions, page_cache
from community.forum.models import Post, ReadAccess
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def public(db):
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def private(db):
    return make_category(name="Back room", slug="back-room", read_access=ReadAccess.MEMBERS)


@pytest.fixture
def starter(member, public):
    return make_topic(
        author=member, category=public, title="Feeding a starter", body="Use rye flour."
    )


def _search(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_word_only_in_a_reply_is_found_and_links_to_the_post(visitor_client, starter):
    writer = make_member(username="ines", display_name="Inès")
    reply = make_reply(topic=starter, author=writer, body="A spoon of pineapple juice helps.")
    page = _search(visitor_client, q="pineapple")
    assert "1 result for “pineapple”." in page
    assert f'href="{starter.post_url(reply.number)}"' in page
    assert f"#post-{reply.number}" in page
    assert "Feeding a starter" in page  # the topic's title
    assert "Inès" in page  # who wrote it
    assert '<span class="tag tag--type">Reply</span>' in page


def test_a_reply_on_a_later_page_links_to_that_page(visitor_client, starter, other_member):
    from tests.forum.factories import bulk_posts

    bulk_posts(starter, other_member, 25)
    reply = make_reply(topic=starter, author=other_member, body="Late word: marmalade.")
    assert reply.number == 27
    page = _search(visitor_client, q="marmalade")
    assert f'href="{starter.get_absolute_url()}?page=2#post-27"' in page


def test_a_word_in_the_opening_post_finds_the_topic_once(visitor_client, starter):
    page = _search(visitor_client, q="rye")
    assert "1 result for “rye”." in page
    assert '<span class="tag tag--type">Topic</span>' in page


def test_snippets_show_the_rendered_text_with_the_match_marked(visitor_client, member, public):
    body = (
        "**Bold** advice: read [the wiki](https://example.com/wiki) and wait.\n\n"
        "```\nfenced patience\n```\n\n"
        "Patience is the *secret* ingredient."
    )
    topic = make_topic(author=member, category=public, title="Slow dough", body=body)
    make_reply(
        topic=topic, author=member, body="More **patience**, and [a timer](https://t.example)."
    )
    page = _search(visitor_client, q="patience")
    assert "2 results for “patience”." in page
    for raw in ("**", "](", "```", "https://t.example", "https://example.com/wiki"):
        assert raw not in page.split('class="search-results"', 1)[1], raw
    assert "<mark>patience</mark>" in page or "<mark>Patience</mark>" in page
    assert "Bold advice: read the wiki and wait." in page
    assert "More <mark>patience</mark>, and a timer." in page


def test_markup_in_a_post_is_shown_as_text_never_run(visitor_client, member, starter):
    make_reply(topic=starter, author=member, body='<script>alert("crumb")</script> crumb <b>x</b>')
    page = _search(visitor_client, q="crumb <script>")
    results = page.split('class="search-results"', 1)[1]
    assert "<script>alert" not in results and "<b>x</b>" not in results
    assert "<mark>crumb</mark>" in results


def test_edits_to_a_reply_reach_the_search(visitor_client, member, starter):
    reply = make_reply(topic=starter, author=member, body="Bake at dawn.")
    actions.edit_post(post=reply, editor=member, body="Bake at dusk.")
    assert "1 result" in _search(visitor_client, q="dusk")
    assert "Nothing matched" in _search(visitor_client, q="dawn")


@pytest.fixture
def quince_replies(member, other_member, moderator, public, private):
    """One reply everyone may read, one for members, and four nobody finds."""
    open_topic = make_topic(author=member, category=public, title="Open topic")
    back_room = make_topic(author=member, category=private, title="Members topic")
    make_reply(topic=open_topic, author=other_member, body="Quince everywhere, for all.")
    make_reply(topic=back_room, author=other_member, body="Quince for members only.")
    hidden = make_reply(topic=open_topic, author=other_member, body="Quince hidden by a mod.")
    actions.hide_post(post=hidden, moderator=moderator, reason="Rude")
    deleted = make_reply(topic=open_topic, author=other_member, body="Quince deleted by author.")
    actions.delete_post(post=deleted, member=other_member)
    held = make_reply(topic=open_topic, author=other_member, body="Quince held for review.")
    Post.objects.filter(pk=held.pk).update(held_at=timezone.now(), held_reason="links")
    hidden_topic = make_topic(author=member, category=public, title="Hidden topic")
    make_reply(topic=hidden_topic, author=other_member, body="Quince in a hidden topic.")
    actions.hide_topic(topic=hidden_topic, moderator=moderator, reason="Spam")


NOBODY_FINDS = ("hidden by a mod", "deleted by author", "held for review", "hidden topic")


@pytest.mark.parametrize(
    ("persona", "found"),
    [
        ("visitor_client", ["everywhere, for all"]),
        ("member_client", ["everywhere, for all", "for members only"]),
        ("moderator_client", ["everywhere, for all", "for members only"]),
        # The author of the held reply does not find it either: search shows what lists do.
        ("other_member_client", ["everywhere, for all", "for members only"]),
    ],
)
def test_replies_show_to_whoever_may_read_them(request, quince_replies, persona, found):
    page = _search(request.getfixturevalue(persona), q="quince")
    assert f"{len(found)} result" in page
    for text in found:
        assert text in page
    for text in NOBODY_FINDS + (() if len(found) > 1 else ("for members only", "Members topic")):
        assert text not in page, text


def test_searching_within_one_topic(visitor_client, member, other_member, public, starter):
    other = make_topic(author=member, category=public, title="Rye crackers", body="Thin rye.")
    make_reply(topic=other, author=other_member, body="Crackers love rye too.")
    make_reply(topic=starter, author=other_member, body="Whole rye, stirred daily.")
    page = _search(visitor_client, q="rye", topic=starter.pk)
    assert "2 results for “rye”." in page
    assert f'href="{starter.post_url(1)}"' in page and f'href="{starter.post_url(2)}"' in page
    assert "Rye crackers" not in page
    assert "Searching only in" in page and "Feeding a starter" in page
    assert f'name="topic" value="{starter.pk}"' in page  # the form keeps to the topic
    assert 'href="/search/?q=rye"' in page  # a way out to the whole site


def test_the_topic_page_offers_to_search_the_topic(visitor_client, starter):
    page = visitor_client.get(starter.get_absolute_url()).content.decode()
    assert 'action="/search/"' in page
    assert f'<input type="hidden" name="topic" value="{starter.pk}">' in page
    assert "Search this topic" in page


@pytest.mark.parametrize("value", ["abc", "-1", "999999", "1e3", "%00", "9" * 12, "٣"])
def test_a_topic_filter_that_names_nothing_finds_nothing(visitor_client, starter, value):
    page = _search(visitor_client, q="rye", topic=value)
    assert "Nothing matched" in page


def test_a_members_only_topic_is_not_searched_or_named_for_a_visitor(
    visitor_client, member_client, member, private
):
    secret = make_topic(author=member, category=private, title="Secret recipes", body="Saffron.")
    page = _search(visitor_client, q="saffron", topic=secret.pk)
    assert "Nothing matched" in page and "Secret recipes" not in page
    assert "1 result" in _search(member_client, q="saffron", topic=secret.pk)


def _count_queries(client, **params) -> int:
    """Queries of a search worked out afresh (results are kept until the forum changes)."""
    page_cache.bump()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["visitor_client", "member_client"])
def test_the_results_page_costs_the_same_for_few_or_many_results(
    request, persona, member, other_member, public
):
    client = request.getfixturevalue(persona)
    first = make_topic(author=member, category=public, title="Oat bread", body="Oat and honey.")
    make_reply(topic=first, author=other_member, body="Oat milk works.")
    client.get("/search/", {"q": "oat"})  # warm the per-process caches
    few = _count_queries(client, q="oat")
    for n in range(12):
        topic = make_topic(author=other_member, category=public, title=f"Oat loaf {n}")
        make_reply(topic=topic, author=member, body=f"Rolled oat, try {n}.")
    many = _count_queries(client, q="oat")
    assert few == many
    assert "26 results" in _search(client, q="oat")


def test_the_results_page_query_count_is_pinned(
    visitor_client, member, other_member, public, django_assert_num_queries
):
    from tests.blog.factories import make_post

    make_post("Barley water", intro="A summer drink of barley.", hero=False)
    for n in range(8):
        topic = make_topic(author=member, category=public, title=f"Barley loaf {n}")
        make_reply(topic=topic, author=other_member, body=f"Malted barley {n}.")
    visitor_client.get("/search/", {"q": "barley"})  # warm the per-process caches
    page_cache.bump()  # the results page was kept: work it out again
    # Topics and replies: one query each (with their authors and opening posts); blog
    # posts and guides: two each (public pages, then the search).
    with django_assert_num_queries(6):
        page = _search(visitor_client, q="barley")
    assert "17 results" in page
    with django_assert_num_queries(0):  # and kept for the next visitor
        assert _search(visitor_client, q="barley") == page
