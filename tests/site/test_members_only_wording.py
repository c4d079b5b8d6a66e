"""A visitor sent to sign in by a members-only place is told why on the sign-in page."""

from __future__ import annotations

import pytest

from community.chat.models import Room
from community.forum.models import ReadAccess
from hearth.access import MEMBERS_ONLY
from tests.forum.factories import make_category, make_topic

pytestmark = pytest.mark.django_db


def _signed_in_page(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    return response.content.decode()


def test_a_members_only_category_says_why_on_the_sign_in_page(client, member):
    category = make_category(read_access=ReadAccess.MEMBERS)
    assert MEMBERS_ONLY in _signed_in_page(client, category.get_absolute_url())


def test_a_members_only_topic_says_why_too(client, member):
    category = make_category(read_access=ReadAccess.MEMBERS)
    topic = make_topic(author=member, category=category, title="Members' bake-off")
    assert MEMBERS_ONLY in _signed_in_page(client, topic.get_absolute_url())


def test_a_members_only_room_says_why_too(client):
    room = Room.objects.create(
        name="Back room", slug="back-room", visibility=Room.Visibility.MEMBERS
    )
    assert MEMBERS_ONLY in _signed_in_page(client, f"/chat/{room.slug}/")


def test_an_ordinary_sign_in_says_nothing_of_the_kind(client):
    assert MEMBERS_ONLY not in client.get("/accounts/login/").content.decode()
