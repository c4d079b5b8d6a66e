"""A room opens where the member left off, stays with the conversation, and says
"New messages below" only when something arrived out of sight."""

from __future__ import annotations

from playwright.sync_api import expect

from community.chat import actions
from tests.chat.factories import make_message, make_room
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member

WAIT = 15_000

AT_TOP = "el => el.scrollTop === 0"
AT_BOTTOM = "el => el.scrollHeight - el.scrollTop - el.clientHeight < 2"


def _say(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("", timeout=WAIT)


def test_a_member_opens_at_the_unread_divider_and_a_visitor_at_the_newest(new_page, asgi_server):
    maya = make_member(username="maya", display_name="Maya", password=PASSWORD)
    sam = make_member(username="sam", display_name="Sam", password=PASSWORD)
    room = make_room(slug="lobby", name="Lobby")
    said = [
        make_message(room, sam, f"Bake number {n}: the crumb was open and the crust sang.")
        for n in range(1, 41)
    ]
    actions.mark_read(room=room, member=maya, last_id=said[19].pk)  # read up to 20

    phone = new_page(360, 740)
    sign_in(phone, maya.email, PASSWORD)
    phone.goto("/chat/lobby/")
    divider = phone.get_by_role("separator", name="New since your last visit")
    expect(divider).to_be_in_viewport()
    # Just before message 21, with 21 in sight and the log no longer at its top.
    after = phone.locator("[data-unread-divider] + li")
    expect(after).to_have_attribute("id", f"message-{said[20].pk}")
    expect(after).to_be_in_viewport()
    log = phone.locator("[data-log]")
    assert not log.evaluate(AT_TOP)
    # The box to write in is on screen too, and nothing new has arrived.
    expect(phone.get_by_role("textbox", name="Message")).to_be_in_viewport()
    expect(phone.get_by_role("button", name="New messages below")).to_be_hidden()
    screenshot(phone, "chat-unread-divider-360")

    visitor = new_page(360, 740)
    visitor.goto("/chat/lobby/")
    expect(visitor.locator(f"#message-{said[-1].pk}")).to_be_in_viewport()
    expect(visitor.get_by_role("separator")).to_have_count(0)
    assert visitor.locator("[data-log]").evaluate(AT_BOTTOM)
    expect(visitor.locator(f"#message-{said[0].pk}")).not_to_be_in_viewport()

    # Once read, the room opens at the newest for Maya too.
    phone.reload()
    expect(phone.locator(f"#message-{said[-1].pk}")).to_be_in_viewport()
    expect(phone.get_by_role("separator")).to_have_count(0)


def test_new_messages_below_shows_only_when_a_message_arrives_out_of_sight(
    page, new_page, asgi_server
):
    sam = make_member(username="sam", display_name="Sam", password=PASSWORD)
    room = make_room(slug="lobby", name="Lobby")
    for n in range(1, 31):
        make_message(room, sam, f"Earlier message {n} about starters and flour.")

    page.goto("/chat/lobby/")  # a visitor
    expect(page.locator(".chat.is-live")).to_be_visible(timeout=WAIT)
    jump = page.get_by_role("button", name="New messages below")
    expect(jump).to_be_hidden()
    log = page.locator("[data-log]")

    writer = new_page()
    sign_in(writer, sam.email, PASSWORD)
    writer.goto("/chat/lobby/")
    expect(writer.locator(".chat.is-live")).to_be_visible(timeout=WAIT)

    # At the bottom, the log follows the conversation: no button.
    _say(writer, "First new one")
    expect(log.locator("li", has_text="First new one")).to_be_in_viewport(timeout=WAIT)
    expect(jump).to_be_hidden()
    assert log.evaluate(AT_BOTTOM)

    # Scrolled up: the message waits below, and the button says so.
    log.evaluate("el => { el.scrollTop = 0; }")
    _say(writer, "Second new one")
    expect(log.locator("li", has_text="Second new one")).to_have_count(1, timeout=WAIT)
    expect(jump).to_be_visible()
    assert log.evaluate(AT_TOP)  # the reader's place is kept
    jump.click()
    expect(jump).to_be_hidden()
    expect(log.locator("li", has_text="Second new one")).to_be_in_viewport()

    # Scrolling down by hand hides it too.
    log.evaluate("el => { el.scrollTop = 0; }")
    _say(writer, "Third new one")
    expect(jump).to_be_visible(timeout=WAIT)
    log.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(jump).to_be_hidden()
