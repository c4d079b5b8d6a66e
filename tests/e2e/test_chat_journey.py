"""Two members chat in two browsers; one reloads mid-conversation and misses nothing."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.chat.factories import make_room
from tests.e2e.conftest import react, sign_in
from tests.factories import PASSWORD, make_member

# The server and the browsers share a small, busy machine: be patient, not flaky.
WAIT = 15_000


def _say(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("", timeout=WAIT)  # cleared only once the server acknowledged it


def _log_texts(page) -> list[str]:
    return page.locator("[data-log] [data-body]").all_inner_texts()


def test_two_members_chat_live_and_a_reload_loses_nothing(page, new_page, asgi_server):
    make_member(username="maya", display_name="Maya", password=PASSWORD)
    make_member(username="sam", display_name="Sam", password=PASSWORD)
    make_room(slug="lobby", name="Lobby")

    sign_in(page, "maya@example.com", PASSWORD)
    page.goto("/chat/lobby/")
    sam = new_page()
    sign_in(sam, "sam@example.com", PASSWORD)
    sam.goto("/chat/lobby/")
    for p in (page, sam):
        expect(p.locator(".chat.is-live")).to_be_visible(timeout=WAIT)
    expect(page.locator("[data-presence]")).to_contain_text("2 here now", timeout=WAIT)

    _say(page, "Hello Sam, see https://example.com/recipes")
    expect(sam.locator("[data-log]")).to_contain_text("Hello Sam", timeout=WAIT)
    expect(sam.locator("[data-log] a[href='https://example.com/recipes']")).to_be_visible(
        timeout=WAIT
    )
    expect(sam.locator("[data-announcer]")).to_contain_text("Maya: Hello Sam", timeout=WAIT)
    # A live message wears the server's own markup: the author may edit and delete it
    # (the same accessible names as a message rendered with the page), others may not.
    mine = page.locator("[data-log] li", has_text="Hello Sam")
    expect(mine.get_by_role("button", name="Delete this message")).to_be_visible(timeout=WAIT)
    expect(mine.get_by_role("link", name="Edit")).to_be_visible()
    theirs = sam.locator("[data-log] li", has_text="Hello Sam")
    expect(theirs.get_by_role("button", name="Delete this message")).to_have_count(0)
    expect(theirs.get_by_role("link", name="Edit")).to_have_count(0)
    _say(sam, "Hi Maya <b>not bold</b>")
    expect(page.locator("[data-log]")).to_contain_text("Hi Maya <b>not bold</b>", timeout=WAIT)

    # Maya reloads while Sam keeps talking.
    page.evaluate("location.reload()")
    for n in range(1, 4):
        _say(sam, f"while you were away {n}")
    expect(page.locator(".chat.is-live")).to_be_visible(timeout=WAIT)
    _say(sam, "welcome back")
    expect(page.locator("[data-log]")).to_contain_text("welcome back", timeout=WAIT)

    texts = _log_texts(page)
    expected = [
        "Hello Sam, see https://example.com/recipes",
        "Hi Maya <b>not bold</b>",
        "while you were away 1",
        "while you were away 2",
        "while you were away 3",
        "welcome back",
    ]
    assert texts == expected  # all of them, once each, in order
    assert _log_texts(sam) == expected

    # A reaction travels live too (given behind the message's "Add a reaction" control).
    first = sam.locator("[data-log] li").first.get_attribute("id")
    react(sam, f"#{first}", "Heart")
    expect(
        page.locator("[data-log] li").first.locator("[data-reaction=heart] [data-count]")
    ).to_have_text("1", timeout=WAIT)


def test_an_empty_message_is_refused_in_the_page_and_times_read_alike(page, asgi_server):
    make_member(username="maya", display_name="Maya", password=PASSWORD)
    make_room(slug="lobby", name="Lobby")
    sign_in(page, "maya@example.com", PASSWORD)
    page.goto("/chat/lobby/")
    expect(page.locator(".chat.is-live")).to_be_visible(timeout=WAIT)

    box = page.get_by_role("textbox", name="Message")
    box.fill("    ")
    box.press("Enter")
    expect(page.locator("[data-status]")).to_have_text("Write a message first: it is empty.")
    expect(page).to_have_url(re.compile(r"/chat/lobby/$"))  # no trip to the form's page
    expect(box).to_be_focused()

    # A live message shows its time the way the server writes it ("30 Nov, 11:52").
    _say(page, "Fresh loaf out of the oven")
    live_time = page.locator("[data-log] li", has_text="Fresh loaf").locator("time")
    expect(live_time).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2,3}, \d\d:\d\d$"))
    shown = live_time.inner_text()
    page.reload()
    served = page.locator("[data-log] li", has_text="Fresh loaf").locator("time").inner_text()
    assert shown == served
