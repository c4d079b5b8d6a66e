"""The blog's sections on the home page and on members' profiles."""

from __future__ import annotations

import pytest

from tests.blog.factories import make_post, published_guide, write_guide

pytestmark = pytest.mark.django_db


def test_it_shows_the_latest_posts_and_new_guides_on_the_home_page(visitor_client, member, editor):
    for n in range(4):
        make_post(f"Home post {n}", days_ago=4 - n)
    published_guide(member, editor, title="Home guide")
    write_guide(member, title="Draft guide")
    html = visitor_client.get("/").content.decode()
    assert "Latest from the blog" in html and "New guides" in html
    assert "Home post 3" in html and "Home post 1" in html
    assert "Home post 0" not in html  # three posts only
    assert "Home guide" in html and "Draft guide" not in html


def test_it_leaves_the_sections_out_when_there_is_nothing_to_show(visitor_client):
    html = visitor_client.get("/").content.decode()
    assert "Latest from the blog" not in html and "New guides" not in html


def test_it_credits_authors_and_co_authors_on_their_profiles(
    visitor_client, member, other_member, editor
):
    published_guide(member, editor, title="Written together", co_authors=[other_member])
    write_guide(member, title="Not yet public")
    for person in (member, other_member):
        html = visitor_client.get(person.get_absolute_url()).content.decode()
        assert f"Guides by {person.name}" in html
        assert "Written together" in html
        assert "Not yet public" not in html


def test_it_shows_the_owner_a_link_to_their_drafts(member_client, member, visitor_client):
    html = member_client.get(member.get_absolute_url()).content.decode()
    assert 'href="/guides/mine/"' in html
    assert "Guides by" not in visitor_client.get(member.get_absolute_url()).content.decode()
