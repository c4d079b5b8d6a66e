"""/search/ over blog posts and guides (Wagtail's database search backend)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.blog.factories import make_post, published_guide, write_guide

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(member, editor):
    post = make_post("Sourdough season begins", intro="Our bakers love sourdough in autumn.")
    guide = published_guide(member, editor, title="Your first sourdough loaf")
    draft = write_guide(member, title="Secret sourdough draft")
    return post, guide, draft


def test_it_finds_posts_and_guides_and_marks_each_with_its_type(visitor_client, content):
    post, guide, _ = content
    html = visitor_client.get("/search/?q=sourdough").content.decode()
    assert f'href="{post.url}"' in html and f'href="{guide.url}"' in html
    assert '<span class="tag tag--type">Blog post</span>' in html
    assert '<span class="tag tag--type">Guide</span>' in html
    assert "2 results for “sourdough”." in html
    # The post's intro as the snippet, the word found marked.
    assert "Our bakers love <mark>sourdough</mark> in autumn." in html


def test_it_never_finds_drafts(member_client, content):
    html = member_client.get("/search/?q=secret").content.decode()
    assert "Secret sourdough draft" not in html
    assert "Nothing matched “secret”." in html


def test_it_narrows_the_results_to_one_type(visitor_client, content):
    post, guide, _ = content
    html = visitor_client.get("/search/?q=sourdough&type=guides").content.decode()
    assert f'href="{guide.url}"' in html and f'href="{post.url}"' not in html
    assert 'aria-current="true">Guide (1)</a>' in html
    # An unknown type shows everything rather than nothing.
    html = visitor_client.get("/search/?q=sourdough&type=nonsense").content.decode()
    assert f'href="{post.url}"' in html and f'href="{guide.url}"' in html


def test_it_paginates_the_results(visitor_client):
    for n in range(25):
        make_post(f"Rye bread notes {n}", hero=False)
    first = visitor_client.get("/search/?q=rye").content.decode()
    assert "25 results" in first and "Page 1 of 2" in first
    second = visitor_client.get("/search/?q=rye&page=2").content.decode()
    assert "Page 2 of 2" in second
    assert visitor_client.get("/search/?q=rye&page=banana").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a word or two to search"),
        ("   ", "Type a word or two to search"),
        ("x" * 1000, "That search is 1,000 characters long; please use at most 200"),
    ],
)
def test_it_explains_an_empty_or_overlong_search(visitor_client, query, message):
    response = visitor_client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_it_shrugs_off_control_characters(visitor_client, content):
    response = visitor_client.get("/search/", {"q": "sour\x07dough\x1b"})
    assert response.status_code == 200
    # A NUL byte is refused for every page at once (hearth.middleware).
    assert visitor_client.get("/search/", {"q": "sour\x00dough"}).status_code == 400
    assert visitor_client.post("/search/?q=x").status_code == 405


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=300))
def test_it_answers_any_query_with_a_page(visitor_client, query):
    expected = 400 if "\x00" in query else 200
    assert visitor_client.get("/search/", {"q": query}).status_code == expected
