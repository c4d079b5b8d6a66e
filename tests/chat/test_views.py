"""The chat pages: room list with unread counts, a room that works without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community.chat.models import ChatMessage, ChatReaction, ReadState
from tests.chat.factories import make_members_room, make_message, make_room
from tests.factories import make_member

pytestmark = pytest.mark.django_db


# --- room list ---------------------------------------------------------------------------


def test_it_lists_public_rooms_to_visitors_and_all_rooms_to_members(visitor_client, member_client):
    make_room(name="Lobby")
    make_members_room(name="Lounge")
    visitor_page = visitor_client.get("/chat/").content.decode()
    assert "Lobby" in visitor_page and "Lounge" not in visitor_page
    member_page = member_client.get("/chat/").content.decode()
    assert "Lobby" in member_page and "Lounge" in member_page


def test_it_shows_unread_counts_from_the_members_read_marker(member_client, member, other_member):
    room = make_room(name="Lobby")
    seen = make_message(room, other_member, "seen")
    make_message(room, other_member, "new 1")
    make_message(room, other_member, "new 2")
    make_message(room, member, "my own never counts")
    ReadState.objects.create(room=room, member=member, last_read_id=seen.pk)
    page = member_client.get("/chat/").content.decode()
    assert '2<span class="visually-hidden"> unread messages</span>' in page


def test_messages_from_before_a_member_joined_are_not_unread(client, other_member):
    room = make_room()
    make_message(room, other_member, "ancient", created_at=timezone.now() - timedelta(days=90))
    newcomer = make_member(joined_days_ago=1)
    client.force_login(newcomer)
    assert "unread message" not in client.get("/chat/").content.decode()


def test_the_room_list_costs_the_same_queries_for_many_rooms(
    member_client, other_member, django_assert_num_queries
):
    for _ in range(2):
        make_message(make_room(), other_member)
    member_client.get("/chat/")  # the bell's count is read once, then kept
    with django_assert_num_queries(4):
        member_client.get("/chat/")
    for _ in range(8):
        make_message(make_room(), other_member)
    with django_assert_num_queries(4):
        member_client.get("/chat/")


def test_the_header_badge_sums_unread_messages(member_client, visitor_client, other_member):
    room = make_room()
    make_message(room, other_member)
    make_message(make_members_room(), other_member)
    assert ">2<" in member_client.get("/chat/unread/").content.decode()
    assert visitor_client.get("/chat/unread/").content.decode().strip() == (
        "<span data-chat-unread></span>"
    )


def test_the_header_loads_the_chat_badge_for_members_only(member_client, visitor_client):
    badge = 'hx-get="/chat/unread/"'
    assert badge in member_client.get("/chat/").content.decode()
    assert badge not in visitor_client.get("/chat/").content.decode()


@pytest.mark.parametrize("url", ["/chat/", "/chat/unread/"])
def test_the_list_pages_only_answer_get(member_client, url):
    assert member_client.post(url).status_code == 405


# --- a room --------------------------------------------------------------------------------


def test_it_renders_the_last_fifty_messages_as_escaped_text_with_links(visitor_client, member):
    room = make_room(name="Lobby")
    for n in range(55):
        make_message(room, member, f"message {n}")
    make_message(room, member, "<script>alert(1)</script> see https://example.com/a?b=1&c=2.")
    page = visitor_client.get(room.get_absolute_url()).content.decode()
    assert "message 5<" not in page and "message 6<" in page and "message 54<" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener" '
        'target="_blank">https://example.com/a?b=1&amp;c=2</a>.'
    ) in page
    assert "Load earlier messages" in page
    assert "Sign in" in page and 'name="body"' not in page


def test_load_earlier_works_without_javascript(visitor_client, member):
    room = make_room()
    messages = [make_message(room, member, f"message {n}") for n in range(60)]
    page = visitor_client.get(
        f"{room.get_absolute_url()}?before={messages[10].pk}"
    ).content.decode()
    assert "message 0<" in page and "message 9<" in page and "message 10<" not in page
    assert "Back to the latest messages" in page


def test_a_members_only_room_sends_visitors_to_sign_in(visitor_client):
    room = make_members_room()
    response = visitor_client.get(room.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_unknown_room_is_404(member_client):
    assert member_client.get("/chat/nowhere/").status_code == 404


def test_opening_a_room_marks_it_read(member_client, member, other_member):
    room = make_room()
    last = make_message(room, other_member)
    member_client.get(room.get_absolute_url())
    assert ReadState.objects.get(member=member, room=room).last_read_id == last.pk


def test_the_room_page_costs_the_same_queries_for_few_and_many_messages(
    member_client, member, other_member, django_assert_num_queries
):
    room = make_room()
    for n in range(3):
        make_message(room, other_member, f"m{n} @maya")
    member_client.get(room.get_absolute_url())
    # 9: the member's read marker is read (the unread divider) and moves only when there
    # is something new; the mentioned members are looked up once for the page.
    with django_assert_num_queries(9):
        member_client.get(room.get_absolute_url())
    for n in range(40):
        message = make_message(room, member if n % 2 else other_member, f"more {n} @sam")
        ChatReaction.objects.create(message=message, member=member, kind="like")
    member_client.get(room.get_absolute_url())
    with django_assert_num_queries(9):
        member_client.get(room.get_absolute_url())


# --- sending without JavaScript ---------------------------------------------------------------


def test_a_member_posts_a_message_with_the_plain_form(member_client, member):
    room = make_room()
    response = member_client.post(reverse("chat:send", args=[room.slug]), {"body": "Hi all"})
    message = ChatMessage.objects.get()
    assert response.status_code == 302
    assert response.url == f"{room.get_absolute_url()}#message-{message.pk}"
    assert message.author == member and message.body == "Hi all"


def test_sending_the_same_form_twice_saves_one_message(member_client, member):
    room = make_room()
    page = member_client.get(room.get_absolute_url()).content.decode()
    ref = re.search(r'name="client_ref" value="([0-9a-f]{32})"', page).group(1)
    url = reverse("chat:send", args=[room.slug])
    first = member_client.post(url, {"body": "Only once", "client_ref": ref})
    again = member_client.post(url, {"body": "Only once", "client_ref": ref})
    message = ChatMessage.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == message.get_absolute_url()
    # A new form (a new value) is a new message, even with the same words.
    member_client.post(url, {"body": "Only once", "client_ref": "another-form"})
    assert ChatMessage.objects.count() == 2
    # A value that is not a form's is ignored, never an error.
    response = member_client.post(url, {"body": "odd", "client_ref": "<script>"})
    assert response.status_code == 302 and ChatMessage.objects.count() == 3


def test_a_refused_post_keeps_what_the_member_wrote(member_client):
    room = make_room(archived=True)
    response = member_client.post(reverse("chat:send", args=[room.slug]), {"body": "my words"})
    assert response.status_code == 200
    # No form is shown in an archived room, but the reason is.
    assert "archived" in response.content.decode()
    room.archived = False
    room.save()
    response = member_client.post(reverse("chat:send", args=[room.slug]), {"body": "   "})
    page = response.content.decode()
    assert response.status_code == 200 and "cannot be empty" in page
    assert not ChatMessage.objects.exists()


def test_a_rate_limited_post_shows_the_reason_and_the_text(member_client, member, monkeypatch):
    from community.chat import limits

    monkeypatch.setattr(limits, "take_token", lambda member: 7.2)
    room = make_room()
    response = member_client.post(
        reverse("chat:send", args=[room.slug]), {"body": "precious words"}
    )
    page = response.content.decode()
    assert "You can send again in 8 seconds" in page
    assert "precious words</textarea>" in page
    assert not ChatMessage.objects.exists()


def test_visitors_are_sent_to_sign_in_and_get_is_not_allowed(visitor_client, member_client):
    room = make_room()
    url = reverse("chat:send", args=[room.slug])
    response = visitor_client.post(url, {"body": "hi"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert member_client.get(url).status_code == 405
    assert not ChatMessage.objects.exists()


def test_a_suspended_member_cannot_post_to_a_members_room(client):
    room = make_members_room()
    suspended = make_member(suspended_until=timezone.now() + timedelta(days=1))
    client.force_login(suspended)
    client.post(reverse("chat:send", args=[room.slug]), {"body": "hi"})
    assert not ChatMessage.objects.exists()


# --- edit, delete, react -----------------------------------------------------------------------


def test_the_author_edits_within_five_minutes(member_client, member):
    room = make_room()
    message = make_message(room, member, "typo")
    url = reverse("chat:edit", args=[room.slug, message.pk])
    assert "typo</textarea>" in member_client.get(url).content.decode()
    response = member_client.post(url, {"body": "fixed"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.body == "fixed" and message.edited_at is not None


def test_nobody_else_edits_and_not_after_five_minutes(member_client, other_member_client, member):
    room = make_room()
    message = make_message(room, member, "mine")
    url = reverse("chat:edit", args=[room.slug, message.pk])
    assert other_member_client.post(url, {"body": "theirs"}).status_code == 403
    message.created_at = timezone.now() - timedelta(minutes=6)
    message.save()
    assert member_client.post(url, {"body": "late"}).status_code == 403
    message.refresh_from_db()
    assert message.body == "mine"


def test_delete_by_author_or_moderator_only(
    member_client, other_member_client, moderator_client, member
):
    room = make_room()
    first = make_message(room, member)
    second = make_message(room, member)
    assert (
        other_member_client.post(reverse("chat:delete", args=[room.slug, first.pk])).status_code
        == 403
    )
    assert member_client.post(reverse("chat:delete", args=[room.slug, first.pk])).status_code == 302
    assert (
        moderator_client.post(reverse("chat:delete", args=[room.slug, second.pk])).status_code
        == 302
    )
    assert ChatMessage.objects.visible().count() == 0
    assert ModelLogEntry.objects.filter(action="hearth.chat.delete").count() == 1
    assert member_client.get(reverse("chat:delete", args=[room.slug, first.pk])).status_code == 405


def test_react_with_the_plain_form(member_client, other_member):
    room = make_room()
    message = make_message(room, other_member)
    url = reverse("chat:react", args=[room.slug, message.pk])
    assert member_client.post(url, {"reaction": "heart"}).status_code == 302
    assert ChatReaction.objects.get().kind == "heart"
    member_client.post(url, {"reaction": "nonsense"})
    assert ChatReaction.objects.count() == 1
    member_client.post(url, {"reaction": "heart"})
    assert not ChatReaction.objects.exists()


def test_members_only_room_actions_are_hidden_from_other_rooms(member_client, other_member):
    room = make_room()
    elsewhere = make_room()
    message = make_message(elsewhere, other_member)
    assert (
        member_client.post(
            reverse("chat:react", args=[room.slug, message.pk]), {"reaction": "like"}
        ).status_code
        == 404
    )
