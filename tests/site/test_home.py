from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_shows_the_brand_and_welcome_to_a_visitor(visitor_client):
    response = visitor_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome to the Hearth community" in html
    assert 'href="#main"' in html  # skip link
    assert "Join the community" in html


def test_it_shows_the_bell_and_profile_link_to_a_member(member_client, member):
    html = member_client.get("/").content.decode()
    assert "data-unread-count" in html
    assert member.get_absolute_url() in html
    assert "Join the community" not in html
