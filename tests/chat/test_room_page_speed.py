"""The room page, fast: kept whole for visitors (community/chat/page_cache.py) and drawn
from kept message fragments for members (community/chat/fragments.py). Whatever changes
what a reader sees shows on their next visit at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.chat import actions
from community.chat.models import ChatReaction, ReadState, Room
from tests.chat.factories import make_message, make_room
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _visit(path: str, client: Client | None = None) -> tuple[int, str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = (client or Client()).get(path)
    return response.status_code, response.content.decode(), len(queries.captured_queries)


@pytest.fixture
def room(other_member):
    room = make_room(name="Lobby", description="Say hello")
    make_message(room, other_member, "First words")
    return room


# --- visitors: the kept page ------------------------------------------------------------


def test_the_next_visitor_of_a_room_reads_no_rows(room):
    first = _visit(room.get_absolute_url())
    response = Client().get(room.get_absolute_url())
    second = _visit(room.get_absolute_url())
    assert first[0] == second[0] == 200 and first[2] > 0
    assert second[2] == 0 and second[1] == first[1]
    assert "First words" in second[1]
    assert not response.cookies  # nothing personal in a kept page


def test_a_new_message_shows_to_the_next_visitor_at_once(room, other_member):
    _visit(room.get_absolute_url())
    actions.send_message(room=room, author=other_member, body="Fresh news")
    assert "Fresh news" in _visit(room.get_absolute_url())[1]


def test_a_burst_of_messages_shows_to_the_next_visitor_at_once(
    room, other_member, django_capture_on_commit_callbacks
):
    _visit(room.get_absolute_url())
    # Saved in one bulk insert (no post_save): the published signal, sent once the
    # messages are committed, retires the page.
    with django_capture_on_commit_callbacks(execute=True):
        sent = actions.send_messages(
            room=room, author=other_member, bodies=["One of two", "Two of two"]
        )
    assert not any(isinstance(result, Exception) for result in sent)
    page = _visit(room.get_absolute_url())[1]
    assert "One of two" in page and "Two of two" in page


def test_an_edit_shows_to_the_next_visitor_at_once(room, other_member):
    message = make_message(room, other_member, "Typo hree")
    _visit(room.get_absolute_url())
    actions.edit_message(message=message, editor=other_member, body="Typo here")
    page = _visit(room.get_absolute_url())[1]
    assert "Typo here" in page and "Typo hree" not in page


def test_a_deleted_message_leaves_the_visitors_page_at_once(room, other_member, moderator):
    message = make_message(room, other_member, "Regrettable")
    assert "Regrettable" in _visit(room.get_absolute_url())[1]
    actions.delete_message(message=message, actor=moderator)
    assert "Regrettable" not in _visit(room.get_absolute_url())[1]


def test_a_reaction_shows_to_the_next_visitor_at_once(room, member):
    message = room.messages.get()
    before = _visit(room.get_absolute_url())[1]
    assert "data-count>1</span>" not in before
    actions.react(message=message, member=member, kind="like")
    assert "data-count>1</span>" in _visit(room.get_absolute_url())[1]
    actions.react(message=message, member=member, kind="like")  # taken back
    assert "data-count>1</span>" not in _visit(room.get_absolute_url())[1]


def test_an_authors_new_name_shows_to_the_next_visitor_at_once(room, other_member):
    assert "Sam" in _visit(room.get_absolute_url())[1]
    other_member.display_name = "Samantha"
    other_member.save(update_fields=["display_name"])
    assert "Samantha" in _visit(room.get_absolute_url())[1]


def test_signing_in_does_not_retire_kept_pages(room, other_member):
    _visit(room.get_absolute_url())
    other_member.last_login = timezone.now()
    other_member.save(update_fields=["last_login"])
    assert _visit(room.get_absolute_url())[2] == 0


def test_the_rooms_settings_show_to_the_next_visitor_at_once(room):
    _visit(room.get_absolute_url())
    room.name = "Front porch"
    room.archived = True
    room.save()
    page = _visit(room.get_absolute_url())[1]
    assert "Front porch" in page and "archived" in page


def test_a_room_closed_to_visitors_is_closed_at_once(room):
    assert _visit(room.get_absolute_url())[0] == 200
    room.visibility = Room.Visibility.MEMBERS
    room.save(update_fields=["visibility"])
    assert _visit(room.get_absolute_url())[0] == 302  # to sign in


def test_another_rooms_message_keeps_this_rooms_page(room, other_member):
    elsewhere = make_room()
    _visit(room.get_absolute_url())
    actions.send_message(room=elsewhere, author=other_member, body="Elsewhere")
    assert _visit(room.get_absolute_url())[2] == 0


def test_earlier_messages_and_other_addresses_are_rendered_each_time(room):
    path = f"{room.get_absolute_url()}?before=999999"
    assert _visit(path)[0] == 200
    assert _visit(path)[2] > 0
    assert _visit(f"{room.get_absolute_url()}?utm=x")[2] > 0


def test_members_never_get_the_kept_page(room, member_client):
    _visit(room.get_absolute_url())
    status, page, queries = _visit(room.get_absolute_url(), member_client)
    assert status == 200 and queries > 0
    assert "data-send-form" in page and "Sign in to chat" not in page


# --- members: kept fragments, the reader's own bits --------------------------------------


def test_the_room_page_costs_eight_queries_once_read(
    room, member_client, other_member, django_assert_num_queries
):
    member_client.get(room.get_absolute_url())  # the bell's count is read once, then kept
    # Session, member, room, messages, read marker, reactions (with the member's own),
    # the member's mute here, the member's groups: no write.
    with django_assert_num_queries(8):
        member_client.get(room.get_absolute_url())
    # Messages that mention members: those members, once for the page.
    for n in range(20):
        make_message(room, other_member, f"more {n} @maya")
    member_client.get(room.get_absolute_url())
    with django_assert_num_queries(9):
        member_client.get(room.get_absolute_url())


def test_a_new_message_moves_the_read_marker(room, member, member_client, other_member):
    member_client.get(room.get_absolute_url())
    newer = make_message(room, other_member, "Newer")
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert "Newer" in page
    assert ReadState.objects.get(room=room, member=member).last_read_id == newer.pk


def test_the_readers_own_reaction_shows_pressed_only_to_them(
    room, member, member_client, other_member_client
):
    message = room.messages.get()
    member_client.get(room.get_absolute_url())
    actions.react(message=message, member=member, kind="heart")
    mine = member_client.get(room.get_absolute_url()).content.decode()
    theirs = other_member_client.get(room.get_absolute_url()).content.decode()
    assert 'data-reaction="heart" aria-pressed="true"' in mine
    assert 'data-reaction="heart" aria-pressed="true"' not in theirs
    assert 'data-reaction="heart" aria-pressed="false"' in theirs


def test_the_authors_tools_show_only_to_them_and_close_with_the_edit_window(
    member, member_client, other_member_client
):
    room = make_room()
    message = make_message(room, member, "Mine")
    edit = f"/chat/{room.slug}/messages/{message.pk}/edit/"
    mine = member_client.get(room.get_absolute_url()).content.decode()
    assert "chat-message--mine" in mine and edit in mine
    theirs = other_member_client.get(room.get_absolute_url()).content.decode()
    assert "chat-message--mine" not in theirs and edit not in theirs
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        later = member_client.get(room.get_absolute_url()).content.decode()
    assert edit not in later and "chat-message--mine" in later


def test_a_moderator_sees_the_mute_control_a_member_does_not(room, member_client, moderator_client):
    assert 'data-action="mute"' in moderator_client.get(room.get_absolute_url()).content.decode()
    assert 'data-action="mute"' not in member_client.get(room.get_absolute_url()).content.decode()


def test_a_muted_member_sees_reactions_but_no_buttons(room, member, member_client, moderator):
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert 'class="inline-form reaction-form"' in page
    actions.mute_member(room=room, member=member, moderator=moderator, minutes=10)
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert 'class="inline-form reaction-form"' not in page and "data-read-only" in page


def test_kept_fragments_carry_each_readers_own_csrf_token(room, member, other_member):
    message = room.messages.get()
    for reader in (member, make_member()):
        client = Client(enforce_csrf_checks=True)
        client.force_login(reader)
        page = client.get(room.get_absolute_url()).content.decode()
        assert "__hearth_csrf_token__" not in page
        token = re.search(
            rf'action="/chat/{room.slug}/messages/{message.pk}/react/".*?'
            r'name="csrfmiddlewaretoken" value="([^"]+)"',
            page,
            re.S,
        ).group(1)
        response = client.post(
            f"/chat/{room.slug}/messages/{message.pk}/react/",
            {"reaction": "like", "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302  # the token is this reader's
    assert ChatReaction.objects.filter(message=message, kind="like").count() == 2


def test_an_authors_new_name_shows_to_members_at_once(room, member_client, other_member):
    assert "Sam" in member_client.get(room.get_absolute_url()).content.decode()
    other_member.display_name = "Samuel"
    other_member.save(update_fields=["display_name"])
    assert "Samuel" in member_client.get(room.get_absolute_url()).content.decode()


def test_reactions_counted_by_others_show_to_members(room, member_client, other_member):
    message = room.messages.get()
    ChatReaction.objects.create(message=message, member=make_member(), kind="laugh")
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert 'data-reaction="laugh" aria-pressed="false"' in page
    assert "data-count>1</span>" in page
