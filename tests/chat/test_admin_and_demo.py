from __future__ import annotations

import io

import pytest

from community.chat import demo
from community.chat.models import ChatMessage, Room
from community.demo import load as load_people

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "client_name, status",
    [("moderator_client", 200), ("editor_client", 200), ("member_client", 403)],
)
def test_rooms_are_managed_in_the_admin_by_staff_only(request, client_name, status):
    Room.objects.create(slug="lobby", name="Lobby")
    client = request.getfixturevalue(client_name)
    assert client.get("/admin/snippets/chat/room/").status_code == status
    assert client.get("/admin/snippets/chat/roommute/").status_code == status


def test_a_moderator_archives_a_room_in_the_admin(moderator_client):
    room = Room.objects.create(slug="lobby", name="Lobby")
    response = moderator_client.post(
        f"/admin/snippets/chat/room/edit/{room.pk}/",
        {
            "name": "Lobby",
            "slug": "lobby",
            "description": "",
            "visibility": "public",
            "category": "",
            "archived": "on",
            "position": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    room.refresh_from_db()
    assert room.archived


def test_the_demo_makes_a_lobby_a_members_room_and_an_estonian_room_once():
    load_people(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    rooms = {
        slug: (v, lang)
        for slug, v, lang in Room.objects.values_list("slug", "visibility", "language")
    }
    assert rooms == {
        "lobby": ("public", ""),
        "members-lounge": ("members", ""),
        "eesti-nurk": ("public", "et"),
    }
    count = ChatMessage.objects.count()
    assert count >= 5
    demo.load(stdout=io.StringIO())
    assert ChatMessage.objects.count() == count and Room.objects.count() == 3
