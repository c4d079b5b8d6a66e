"""A message over the limit is refused with the server's own words, never cut: over the
socket, through the plain form, and the page's textarea has no maxlength that cuts."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from bs4 import BeautifulSoup
from django.urls import reverse

from community.chat.models import MESSAGE_MAX_LENGTH, ChatMessage, ChatReaction
from tests.chat.factories import make_message, make_room
from tests.chat.helpers import open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

REFUSAL = "A message can be at most 2,000 characters (this one has 5,000)."


async def test_the_socket_refuses_a_long_message_with_its_length(member):
    room = await sync_to_async(make_room)()
    socket, _ = await open_socket(room, member)
    await socket.send_json_to({"type": "send", "body": "x" * 5000, "ref": "m1"})
    error = await receive_until(socket, "error")
    assert error == {"type": "error", "code": "invalid", "message": REFUSAL, "ref": "m1"}
    assert await sync_to_async(ChatMessage.objects.count)() == 0
    # At the limit it goes through.
    await socket.send_json_to({"type": "send", "body": "y" * MESSAGE_MAX_LENGTH, "ref": "m2"})
    assert (await receive_until(socket, "ack"))["ref"] == "m2"
    await socket.disconnect()


async def test_a_visitor_can_neither_send_nor_react(member):
    room = await sync_to_async(make_room)()
    message = await sync_to_async(make_message)(room, member, "hello")
    socket, ready = await open_socket(room)
    assert ready["can_send"] is False
    await socket.send_json_to({"type": "send", "body": "hi", "ref": "a"})
    assert (await receive_until(socket, "error"))["code"] == "forbidden"
    await socket.send_json_to({"type": "react", "id": message.pk, "reaction": "heart"})
    assert (await receive_until(socket, "error"))["message"] == "Sign in to chat."
    assert await sync_to_async(ChatMessage.objects.count)() == 1
    assert not await sync_to_async(ChatReaction.objects.exists)()
    await socket.disconnect()


def test_the_plain_form_refuses_it_with_the_same_words_and_keeps_them(member_client):
    room = make_room()
    body = "Long story. " + "x" * 4988
    response = member_client.post(reverse("chat:send", args=[room.slug]), {"body": body})
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert REFUSAL in page.get_text()
    # (a browser drops the newline Django writes after <textarea>)
    assert page.select_one("textarea[name=body]").get_text().removeprefix("\n") == body
    assert not ChatMessage.objects.exists()


def test_the_message_box_does_not_cut_a_long_paste(member_client):
    page = BeautifulSoup(member_client.get(make_room().get_absolute_url()).content, "html.parser")
    box = page.select_one("[data-send-form] textarea[name=body]")
    assert not box.has_attr("maxlength")
    assert int(box["data-max-length"]) == MESSAGE_MAX_LENGTH
    counter = page.select_one("[data-send-form] [data-counter]")
    assert counter.has_attr("hidden") and counter["id"] == "chat-counter"
    root = page.select_one("[data-chat-room]")
    assert int(root["data-max-length"]) == MESSAGE_MAX_LENGTH


def test_the_edit_page_refuses_a_long_edit_with_the_same_words(member_client, member):
    room = make_room()
    message = make_message(room, member, "short")
    body = "y" * 5000
    response = member_client.post(
        reverse("chat:edit", args=[room.slug, message.pk]), {"body": body}
    )
    assert REFUSAL in response.content.decode()
    message.refresh_from_db()
    assert message.body == "short"
