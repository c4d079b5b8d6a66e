"""A room opens where the member left off: an "unread" divider before their first unread
message (the page marks it; chat.js scrolls to it), or at the newest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from community.chat import actions
from tests.chat.factories import make_message, make_room

pytestmark = pytest.mark.django_db


def _log(client, room) -> list:
    response = client.get(room.get_absolute_url())
    assert response.status_code == 200
    return _log_from(response)


def _log_from(response) -> list:
    """The log's items in order: ("unread", label) for the divider, else the message id."""
    page = BeautifulSoup(response.content, "html.parser")
    return [
        ("unread", li.select_one("[role=separator]")["aria-label"])
        if li.has_attr("data-unread-divider")
        else int(li["data-id"])
        for li in page.select("[data-log] > li")
    ]


def test_it_puts_the_divider_before_the_first_message_after_the_read_marker(
    member_client, member, other_member
):
    room = make_room()
    messages = [make_message(room, other_member, f"m{n}") for n in range(6)]
    actions.mark_read(room=room, member=member, last_id=messages[2].pk)
    items = _log(member_client, room)
    at = items.index(("unread", "New since your last visit"))
    assert items[at - 1] == messages[2].pk and items[at + 1] == messages[3].pk
    assert items.count(("unread", "New since your last visit")) == 1
    # Opening the room read it: next time it opens at the newest, without a divider.
    assert all(isinstance(item, int) for item in _log(member_client, room))


def test_the_members_own_messages_are_not_unread(member_client, member, other_member):
    room = make_room()
    first = make_message(room, other_member, "old")
    actions.mark_read(room=room, member=member, last_id=first.pk)
    mine = make_message(room, member, "from my phone")
    theirs = make_message(room, other_member, "answer")
    items = _log(member_client, room)
    assert items == [first.pk, mine.pk, ("unread", "New since your last visit"), theirs.pk]


def test_visitors_and_members_who_read_everything_get_no_divider(
    visitor_client, member_client, member, other_member
):
    room = make_room()
    messages = [make_message(room, other_member, f"m{n}") for n in range(3)]
    assert _log(visitor_client, room) == [m.pk for m in messages]
    actions.mark_read(room=room, member=member, last_id=messages[-1].pk)
    assert _log(member_client, room) == [m.pk for m in messages]


def test_what_was_said_before_the_member_joined_is_not_unread(client, other_member):
    from tests.factories import make_member

    room = make_room()
    before = make_message(
        room, other_member, "before you", created_at=timezone.now() - timedelta(days=3)
    )
    newcomer = make_member(username="newbie", joined_days_ago=1)
    after = make_message(room, other_member, "welcome!")
    client.force_login(newcomer)
    assert _log(client, room) == [before.pk, ("unread", "New since your last visit"), after.pk]


def test_the_page_reaches_back_to_the_first_unread_message_beyond_one_page(
    member_client, member, other_member
):
    room = make_room()
    messages = [make_message(room, other_member, f"m{n}") for n in range(90)]
    actions.mark_read(room=room, member=member, last_id=messages[9].pk)
    response = member_client.get(room.get_absolute_url())
    items = _log_from(response)
    assert items[:2] == [("unread", "New since your last visit"), messages[10].pk]
    assert items[-1] == messages[-1].pk
    # The ten read ones are one click away, as ever.
    assert "Load earlier messages" in response.content.decode()


def test_browsing_earlier_messages_shows_no_divider(member_client, member, other_member):
    room = make_room()
    messages = [make_message(room, other_member, f"m{n}") for n in range(60)]
    actions.mark_read(room=room, member=member, last_id=messages[1].pk)
    response = member_client.get(f"{room.get_absolute_url()}?before={messages[30].pk}")
    assert "data-unread-divider" not in response.content.decode()
