"""The guides listing's filters, /guides/mine/, and the query counts of every index page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.blog.factories import (
    decide,
    make_author,
    make_post,
    published_guide,
    submit,
    write_guide,
)
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_it_filters_guides_by_tag_and_difficulty(visitor_client, member, editor):
    published_guide(member, editor, title="Bread basics", tags=["bread"], difficulty="beginner")
    published_guide(member, editor, title="Hard bread", tags=["bread"], difficulty="advanced")
    published_guide(member, editor, title="Knife care", tags=["kitchen"], difficulty="beginner")
    html = visitor_client.get("/guides/?tag=bread&difficulty=beginner").content.decode()
    assert "Bread basics" in html
    assert "Hard bread" not in html and "Knife care" not in html
    assert "1 guide matches these filters." in html
    html = visitor_client.get("/guides/?tag=kitchen").content.decode()
    assert "Knife care" in html and "Bread basics" not in html


def test_it_ignores_filters_it_does_not_understand(visitor_client, member, editor):
    published_guide(member, editor, title="Bread basics")
    response = visitor_client.get("/guides/?difficulty=impossible&sort=random&tag=%07%ff")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bread basics" in html
    assert "Some filters were not understood and were ignored." in html


def test_it_lists_only_published_guides(visitor_client, member, editor):
    published_guide(member, editor, title="Out there")
    write_guide(member, title="Still a draft")
    submit(write_guide(member, title="Being reviewed"))
    html = visitor_client.get("/guides/").content.decode()
    assert "Out there" in html
    assert "Still a draft" not in html and "Being reviewed" not in html


def test_it_shows_the_author_each_guides_status_and_the_editors_comment(
    member_client, member, editor, other_member
):
    published_guide(member, editor, title="Done and dusted")
    write_guide(member, title="Just started")
    submit(write_guide(member, title="Waiting"))
    returned = write_guide(member, title="Sent back")
    submit(returned)
    decide(returned, editor, "reject", "Please add the oven temperature.")
    write_guide(other_member, title="Someone else's")
    html = member_client.get("/guides/mine/").content.decode()
    assert "Someone else&#x27;s" not in html
    cards = {card.split("</h2>")[0]: card for card in html.split('class="my-guide card"')[1:]}
    for title, key, label in [
        ("Done and dusted", "published", "Published"),
        ("Just started", "draft", "Draft"),
        ("Waiting", "in_review", "In review"),
        ("Sent back", "changes_requested", "Changes requested"),
    ]:
        [card] = [card for head, card in cards.items() if title in head]
        assert f'<span class="status status--{key}">{label}</span>' in card
    assert "Please add the oven temperature." in html
    assert f"{editor.name} asked for changes" in html
    assert "Withdraw from review" in html


# --- query counts ---------------------------------------------------------------------


def _count(client, url: str) -> int:
    client.get(url)  # warm up: renditions are made once, the site root paths cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _posts(n: int, author) -> None:
    for i in range(n):
        make_post(f"Post {i}", tags=("news", f"tag{i % 3}"), authors=(author,))


def test_it_lists_blog_posts_in_a_constant_number_of_queries(
    visitor_client, django_assert_num_queries
):
    author = make_author()
    _posts(2, author)
    few = _count(visitor_client, "/blog/")
    _posts(12, author)
    assert _count(visitor_client, "/blog/") == few
    with django_assert_num_queries(few):
        visitor_client.get("/blog/")
    # Routing and view restrictions (7), count, posts, tags (2), images, renditions, bylines.
    assert few <= 14


def test_it_lists_a_tag_archive_in_a_constant_number_of_queries(visitor_client):
    author = make_author()
    _posts(2, author)
    few = _count(visitor_client, "/blog/tags/news/")
    _posts(12, author)
    assert _count(visitor_client, "/blog/tags/news/") == few
    assert few <= 15


def test_it_lists_guides_in_a_constant_number_of_queries(visitor_client, editor):
    authors = [make_member() for _ in range(3)]
    for i in range(2):
        published_guide(authors[i % 3], editor, tags=["bread", f"t{i}"])
    url = "/guides/?sort=helpful&tag=bread"
    few = _count(visitor_client, url)
    for i in range(12):
        published_guide(authors[i % 3], editor, tags=["bread", f"t{i}"])
    assert _count(visitor_client, url) == few
    assert _count(visitor_client, "/guides/") <= few
    assert few <= 12


def test_it_lists_a_members_guides_in_a_constant_number_of_queries(member_client, member, editor):
    published_guide(member, editor)
    submit(write_guide(member))
    few = _count(member_client, "/guides/mine/")
    for _ in range(3):
        published_guide(member, editor)
        returned = write_guide(member)
        submit(returned)
        decide(returned, editor, "reject", "More, please.")
    assert _count(member_client, "/guides/mine/") == few
    assert few <= 12
