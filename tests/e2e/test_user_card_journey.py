"""User cards: a click on a name in a topic or a chat room opens the member's card, with
the keyboard too; Escape closes it and puts focus back on the name."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch
from playwright.sync_api import expect

from community import cards
from tests.chat.factories import make_message, make_room
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_reply, make_topic

# The server and the browsers share a small, busy machine (as in test_chat_journey).
WAIT = 15_000


@pytest.fixture
def messages_exist(monkeypatch):
    """Private messages are another app: until it lands, pretend its page exists. Set
    before the server process forks, so the server sees it too."""

    def reverse(name, *args, **kwargs):
        if name == "conversations:new":
            return "/messages/new/"
        raise NoReverseMatch(name)

    monkeypatch.setattr(cards, "reverse", reverse)


def test_a_name_in_a_topic_opens_the_card_by_mouse_and_keyboard(messages_exist, page):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    sam = make_member(username="sam", display_name="Sam")
    topic = make_topic(author=sam, title="Over-proofed again")
    make_reply(topic=topic, author=sam)

    sign_in(page, "maya@example.com", PASSWORD)
    page.goto(topic.get_absolute_url())
    name = page.locator("#post-1 a[data-user-card]")
    expect(name).to_have_attribute("aria-expanded", "false")
    name.click()
    card = page.get_by_role("dialog", name="About Sam")
    expect(card).to_be_visible()
    expect(name).to_have_attribute("aria-expanded", "true")
    expect(card.get_by_text("@sam")).to_be_visible()
    expect(card.get_by_role("link", name="Message Sam")).to_have_attribute(
        "href", "/messages/new/?to=sam"
    )
    expect(card.get_by_role("link", name="View profile of Sam")).to_be_visible()
    expect(card).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_have_count(0)
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-expanded", "false")

    # The keyboard alone: Enter on the name opens it, focus moves in, Tab reaches links.
    page.locator("#post-2 a[data-user-card]").focus()
    page.keyboard.press("Enter")
    card = page.get_by_role("dialog", name="About Sam")
    expect(card).to_be_focused()
    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_have_count(0)
    expect(page.locator("#post-2 a[data-user-card]")).to_be_focused()

    # One card at a time: opening another closes the first.
    first = page.locator("#post-1 a[data-user-card]")
    first.click()
    expect(page.get_by_role("dialog", name="About Sam")).to_be_visible()
    page.locator("#post-2 a[data-user-card]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#post-2 a[data-user-card]")).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".user-card-popover")).to_have_count(1)
    expect(first).to_have_attribute("aria-expanded", "false")


def test_the_card_fits_a_phone_and_opens_from_chat(new_page):
    make_member(username="maya", display_name="Maya")
    sam = make_member(username="sam", display_name="Samantha Longname-Ferreira")
    room = make_room(slug="lounge", name="Lounge")
    make_message(room, sam, body="Morning, bakers")

    page = new_page(width=360, height=740)
    sign_in(page, "maya@example.com", PASSWORD)
    page.goto("/chat/lounge/")
    page.locator("#message-1 a[data-user-card], .chat-message a[data-user-card]").first.click()
    card = page.get_by_role("dialog", name="About Samantha Longname-Ferreira")
    expect(card).to_be_visible()
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    screenshot(page, "user-card-chat-360")
    page.keyboard.press("Escape")
    expect(card).to_have_count(0)

    # A message that arrives live wears the same name link.
    expect(page.locator(".chat.is-live")).to_be_visible(timeout=WAIT)
    other = new_page()
    sign_in(other, "sam@example.com", PASSWORD)
    other.goto("/chat/lounge/")
    box = other.get_by_role("textbox", name="Message")
    box.fill("A fresh batch is out")
    box.press("Enter")
    live = page.locator("[data-log] li", has_text="A fresh batch is out")
    expect(live).to_be_visible(timeout=WAIT)
    live.locator("a[data-user-card]").click()
    card = page.get_by_role("dialog", name="About Samantha Longname-Ferreira")
    expect(card.get_by_text("@sam")).to_be_visible()
