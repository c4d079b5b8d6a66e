"""What the notifications page says: fresh times, names as they are now, chat messages as
they are now. The stored words stay as written (the live toast and older rows use them)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import actions
from community.chat import actions as chat
from community.models import Notification
from tests.chat.factories import make_room
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _page(client) -> str:
    response = client.get("/notifications/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_fresh_notification_says_just_now(member_client, member, other_member):
    actions.notify(recipient=member, kind="reply", text="Sam replied", actor=other_member)
    html = _page(member_client)
    assert ">just now</time>" in html
    assert "0 minutes ago" not in html
    assert "now</time>" not in html.replace(">just now</time>", "")


def test_an_old_notification_shows_the_actors_name_as_it_is_now(
    member_client, member, other_member
):
    actions.notify(
        recipient=member,
        kind="forum_reply",
        text=f"{other_member.name} replied in “Where to start”",
        url="/",
        actor=other_member,
    )
    other_member.display_name = "Samantha"
    other_member.save(update_fields=["display_name"])

    html = _page(member_client)
    assert "Samantha replied in “Where to start”" in html
    assert "Sam replied" not in html
    # What was written stays as written.
    assert Notification.objects.get(recipient=member).text.startswith("Sam replied")


def test_a_rename_changes_whole_names_only(member_client, member):
    al = make_member(username="al", display_name="Al")
    actions.notify(
        recipient=member, kind="reaction", text="Al reacted to your post in “Alps”", actor=al
    )
    al.display_name = "Alan"
    al.save(update_fields=["display_name"])
    assert "Alan reacted to your post in “Alps”" in _page(member_client)


def test_a_notification_without_an_actor_keeps_its_words(member_client, member):
    actions.notify(recipient=member, kind="greeting", text="Happy birthday, Maya!")
    assert "Happy birthday, Maya!" in _page(member_client)


def test_a_notification_written_before_names_were_kept_still_shows(
    member_client, member, other_member
):
    Notification.objects.create(
        recipient=member, actor=other_member, kind="forum_reply", text="Sam replied long ago"
    )
    assert "Sam replied long ago" in _page(member_client)


def test_a_chat_mention_shows_the_message_as_edited(member_client, member, other_member):
    room = make_room(name="Lobby")
    message = chat.send_message(room=room, author=other_member, body="Hi @maya, the bread is up")
    assert Notification.objects.filter(recipient=member, kind="chat_mention").exists()

    chat.edit_message(message=message, editor=other_member, body="Hi @maya, the soup is up")

    html = _page(member_client)
    assert "Sam mentioned you in Lobby: Hi @maya, the soup is up" in html
    assert "bread" not in html


def test_a_chat_mention_of_a_deleted_message_says_so(member_client, member, other_member):
    room = make_room(name="Lobby")
    message = chat.send_message(room=room, author=other_member, body="Hi @maya, a secret")
    chat.delete_message(message=message, actor=other_member)

    html = _page(member_client)
    assert "Sam mentioned you in a chat message that has since been deleted." in html
    assert "secret" not in html


def test_an_old_chat_mention_row_finds_its_message_through_its_link(
    member_client, member, other_member
):
    room = make_room(name="Lobby")
    message = chat.send_message(room=room, author=other_member, body="Hi @maya, first words")
    Notification.objects.filter(recipient=member).update(target_type="", target_id=None)
    chat.edit_message(message=message, editor=other_member, body="Hi @maya, second words")
    assert "Lobby: Hi @maya, second words" in _page(member_client)


def test_the_live_toast_keeps_its_text_and_url(member, other_member):
    room = make_room(name="Lobby")
    message = chat.send_message(room=room, author=other_member, body="Hi @maya")
    event = Notification.objects.get(recipient=member).as_event()
    assert event["text"] == "Sam mentioned you in Lobby: Hi @maya"
    assert event["url"] == message.get_absolute_url()


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        _page(client)
    return len(captured.captured_queries)


def test_the_page_costs_the_same_queries_for_1_and_20_notifications(
    member_client, member, django_assert_num_queries
):
    room = make_room(name="Lobby")
    authors = [make_member(username=f"writer{i}", display_name=f"Writer {i}") for i in range(20)]
    chat.send_message(room=room, author=authors[0], body="Hi @maya")
    actions.notify(recipient=member, kind="reply", text="Writer 0 replied", actor=authors[0])
    _page(member_client)  # warm the session and the caches
    one = _page_queries(member_client)

    for author in authors[1:]:
        chat.send_message(room=room, author=author, body=f"Hi @maya from {author.name}")
        actions.notify(recipient=member, kind="reply", text=f"{author.name} replied", actor=author)
        author.display_name += " (renamed)"
        author.save(update_fields=["display_name"])
    _page(member_client)  # the bell's new count is read once, then kept
    with django_assert_num_queries(one):
        html = _page(member_client)
    assert "Writer 19 (renamed) replied" in html
    assert "Writer 19 (renamed) mentioned you in Lobby: Hi @maya from Writer 19" in html
