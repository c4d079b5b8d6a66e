"""What a member writes in chat: a long message is refused in the server's words and
kept, mentions and links read as in the forum, reactions as in the forum with the site's
own icons, and a burst of messages is announced together."""

from __future__ import annotations

from playwright.sync_api import expect

from community.chat.models import ChatMessage
from tests.chat.factories import make_message, make_room
from tests.e2e.conftest import react, screenshot, sign_in
from tests.factories import PASSWORD, make_member

WAIT = 15_000
REFUSAL = "A message can be at most 2,000 characters (this one has 5,000)."


def _say(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("", timeout=WAIT)


def _open(page, who, slug: str = "lobby") -> None:
    sign_in(page, who.email, PASSWORD)
    page.goto(f"/chat/{slug}/")
    expect(page.locator(".chat.is-live")).to_be_visible(timeout=WAIT)


def test_a_long_message_is_counted_refused_in_the_servers_words_and_kept(new_page, asgi_server):
    maya = make_member(username="maya", display_name="Maya", password=PASSWORD)
    make_room(slug="lobby", name="Lobby")
    phone = new_page(360, 740)
    _open(phone, maya)

    box = phone.get_by_role("textbox", name="Message")
    counter = phone.locator("[data-counter]")
    box.fill("x" * 1000)
    expect(counter).to_be_hidden()  # far from the limit: no counter
    box.fill("x" * 1950)
    expect(counter).to_have_text("1,950 / 2,000")
    text = "A long story about my starter. " + "y" * 4969
    box.fill(text)
    expect(counter).to_have_text("5,000 / 2,000 · 3,000 characters too many")
    assert box.evaluate("el => el.value.length") == 5000  # nothing cut

    box.press("Enter")
    expect(phone.locator("[data-status]")).to_have_text(REFUSAL, timeout=WAIT)
    expect(box).to_have_value(text)
    assert not ChatMessage.objects.exists()
    screenshot(phone, "chat-too-long-refused-360")


def test_mentions_links_and_reactions_read_as_in_the_forum(page, new_page, asgi_server):
    maya = make_member(username="maya", display_name="Maya", password=PASSWORD)
    sam = make_member(username="sam", display_name="Sam", password=PASSWORD)
    room = make_room(slug="lobby", name="Lobby")
    earlier = make_message(room, sam, "Morning @maya, the rye is out")
    _open(page, maya)
    other = new_page()
    _open(other, sam)

    # Server-rendered: the mention is a link to Maya's profile.
    first = page.locator(f"#message-{earlier.pk}")
    expect(first.get_by_role("link", name="@maya")).to_have_attribute("href", "/members/maya/")

    # Live: the same, mentions and links.
    _say(page, "Thanks @sam! Recipe: https://example.com/rye")
    live = other.locator("[data-log] li", has_text="Thanks")
    expect(live.get_by_role("link", name="@sam")).to_have_attribute(
        "href", "/members/sam/", timeout=WAIT
    )
    expect(live.get_by_role("link", name="https://example.com/rye")).to_be_visible()

    # Reactions: none given yet, so only the one control to add one.
    expect(first.locator("[data-reactions] > form")).to_have_count(0)
    expect(first.get_by_text("Add a reaction")).to_be_visible()
    expect(first.get_by_role("button", name="Heart")).to_be_hidden()
    heart = react(page, f"#message-{earlier.pk}", "Heart")
    expect(heart).to_have_attribute("aria-pressed", "true", timeout=WAIT)
    expect(heart).to_have_accessible_name("Heart 1")
    expect(first.locator("[data-reactions] > form")).to_have_count(1)
    # The icon is the site's SVG, and it loads.
    icon = heart.locator("img.reaction__icon")
    expect(icon).to_have_attribute("src", "/static/icons/reactions/heart.svg")
    assert icon.evaluate("img => img.complete && img.naturalWidth > 0")

    # Sam sees it arrive in the row, not behind the control.
    theirs = other.locator(f"#message-{earlier.pk}")
    expect(theirs.locator("[data-reactions] > form")).to_have_count(1, timeout=WAIT)
    expect(theirs.get_by_role("button", name="Heart 1")).to_be_visible()
    # Maya takes it back: it goes behind the control again, for both.
    heart.click()
    expect(first.locator("[data-reactions] > form")).to_have_count(0, timeout=WAIT)
    expect(theirs.locator("[data-reactions] > form")).to_have_count(0, timeout=WAIT)

    # A visitor sees what was given, and no controls.
    react(other, f"#message-{earlier.pk}", "Celebrate")
    visitor = new_page()
    visitor.goto("/chat/lobby/")
    row = visitor.locator(f"#message-{earlier.pk} [data-reactions]")
    expect(row.get_by_text("Celebrate")).to_be_attached()
    expect(row.locator("[data-reaction]:visible")).to_have_count(1)
    expect(row.get_by_role("button")).to_have_count(0)
    expect(row.get_by_text("Add a reaction")).to_have_count(0)


def test_a_burst_of_messages_is_announced_together(page, new_page, asgi_server):
    maya = make_member(username="maya", display_name="Maya", password=PASSWORD)
    sam = make_member(username="sam", display_name="Sam", password=PASSWORD)
    make_room(slug="lobby", name="Lobby")
    _open(page, maya)
    other = new_page()
    _open(other, sam)

    # Three messages in one go (each sent before the first is acknowledged).
    other.get_by_role("textbox", name="Message").evaluate(
        """box => {
            for (const text of ["one", "two", "three"]) {
                box.value = text;
                box.form.requestSubmit();
            }
        }"""
    )
    announcer = page.locator("[data-announcer]")
    expect(announcer).to_contain_text("Sam: one", timeout=WAIT)
    expect(announcer).to_contain_text("2 new messages from Sam", timeout=WAIT)
    expect(announcer.locator("p")).to_have_count(2)
