"""A chat room may belong to a language: the room list names it, in its own words."""

from __future__ import annotations

import pytest

from community.chat.models import Room

pytestmark = pytest.mark.django_db


def test_the_room_list_shows_a_rooms_language(visitor_client):
    Room.objects.create(slug="lobby", name="Lobby")
    Room.objects.create(slug="eesti-nurk", name="Eesti nurk", language="et")
    page = visitor_client.get("/chat/").content.decode()
    assert page.count('<span lang="et">Eesti</span>') == 1
    assert page.count('class="language-label"') == 1  # the lobby talks in any language


def test_an_unknown_language_is_refused_in_the_admin(moderator_client):
    room = Room.objects.create(slug="lobby", name="Lobby")
    response = moderator_client.post(
        f"/admin/snippets/chat/room/edit/{room.pk}/",
        {
            "name": "Lobby",
            "slug": "lobby",
            "description": "",
            "visibility": "public",
            "category": "",
            "language": "xx",
            "position": "0",
        },
    )
    assert response.status_code == 200
    assert "Use one of these language codes" in response.content.decode()
    room.refresh_from_db()
    assert room.language == ""
