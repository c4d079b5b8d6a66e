"""Two members message each other live in two browsers; then one blocks the other."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member, make_moderator

# The server and the browsers share a small, busy machine: be patient, not flaky.
WAIT = 15_000


def _live(page) -> None:
    """The bell's socket is joined: live frames reach this page from now on."""
    expect(page.locator(".bell[data-live='joined']")).to_be_attached(timeout=WAIT)


def _send(page, text: str) -> None:
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("button", name="Send").click()


def test_two_members_message_live_and_a_block_stops_the_next_message(page, new_page):
    make_member(username="maya", display_name="Maya", password=PASSWORD)
    make_member(username="sam", display_name="Sam", password=PASSWORD)

    sign_in(page, "maya@example.com", PASSWORD)
    sam = new_page()
    sign_in(sam, "sam@example.com", PASSWORD)
    sam.goto("/messages/")
    _live(sam)
    sam_count = sam.locator("[data-messages-link] [data-messages-unread]")
    expect(sam_count).to_have_text("0", timeout=WAIT)

    # Maya starts from Sam's profile: the Message button fills in his name.
    page.goto("/members/sam/")
    page.get_by_role("link", name="Message", exact=True).click()
    expect(page.get_by_role("textbox", name="To")).to_have_value("sam")
    _send(page, "Hello Sam, are you coming on Sunday?")
    expect(page.locator("[data-pm-log]")).to_contain_text("are you coming on Sunday?")

    # Sam's header counts it without a reload.
    expect(sam_count).to_have_text("1", timeout=WAIT)
    screenshot(sam, "messages-header-unread")
    sam.locator("[data-messages-link]").click()
    sam.locator("[data-conversation] a", has_text="Maya").click()
    expect(sam.locator("[data-pm-log]")).to_contain_text("are you coming on Sunday?")
    _live(sam)
    expect(sam_count).to_have_text("0", timeout=WAIT)

    # Maya's next message appears on Sam's open page, and stays read there.
    _send(page, "Bring the rye starter!")
    expect(page.locator("[data-pm-log]")).to_contain_text("Bring the rye starter!")
    expect(sam.locator("[data-pm-log]")).to_contain_text("Bring the rye starter!", timeout=WAIT)
    expect(sam.locator("[data-pm-log] li").last).to_contain_text("Maya")
    expect(sam_count).to_have_text("0", timeout=WAIT)

    # Sam blocks Maya from the conversation.
    sam.get_by_role("button", name="Block Maya").click()
    expect(sam.locator(".messages")).to_contain_text("You blocked Maya")

    # Maya's next message is refused, clearly, and what she wrote is kept.
    _send(page, "Sam? Hello?")
    expect(page.locator("form.pm-form")).to_contain_text(
        "You cannot send messages in this conversation any more."
    )
    expect(page.get_by_role("textbox", name="Message")).to_have_value("Sam? Hello?")
    expect(page.locator("[data-pm-log]")).not_to_contain_text("Sam? Hello?")


def test_the_messages_link_keeps_the_signed_in_header_on_one_row(page):
    make_moderator(username="margarethe", display_name="Margarethe Okonkwo", password=PASSWORD)
    sign_in(page, "margarethe@example.com", PASSWORD)
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto("/forum/")
    expect(page.locator("[data-messages-link] [data-messages-unread]")).to_have_text("0")

    def middle(selector: str) -> float:
        box = page.locator(selector).bounding_box()
        assert box is not None
        return box["y"] + box["height"] / 2

    assert abs(middle("[data-messages-link]") - middle(".site-brand")) < 12
    assert abs(middle(".site-nav") - middle(".site-brand")) < 12
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    screenshot(page, "messages-header-1024")
    expect(page.get_by_role("link", name="Messages: 0 unread")).to_be_visible()
