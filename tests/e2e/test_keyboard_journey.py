"""Without a mouse: a member skips the header, tabs down a topic to the reply box, posts a
reply, then tabs to the chat and sends a message. Every stop the Tab key makes shows
where the focus is (an outline or a ring), and each action does what it says."""

from __future__ import annotations

from playwright.sync_api import expect

from community.chat.models import ChatMessage
from community.forum.models import Post
from tests.chat.factories import make_room
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_reply, make_topic

WAIT = 15_000
# Far more stops than any of these pages has: a page that never reaches its target fails.
MAX_STOPS = 80

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow !== "none";
    return {
        tag: el.tagName.toLowerCase(),
        name: (el.getAttribute("aria-label") || el.innerText || el.name || el.id || "")
            .trim().slice(0, 60),
        id: el.id,
        visible: outline || ring,
        inView: (() => {
            const box = el.getBoundingClientRect();
            return box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight;
        })(),
    };
}"""


def _tab(page, *, shift: bool = False) -> dict:
    """Press Tab (or Shift+Tab) once; the stop it lands on must show its focus."""
    page.keyboard.press("Shift+Tab" if shift else "Tab")
    focused = page.evaluate(FOCUSED)
    assert focused is not None, "the focus left the page"
    assert focused["visible"], f"no visible focus indicator on {focused} at {page.url}"
    assert focused["inView"], f"the focused element is off-screen: {focused} at {page.url}"
    return focused


def _tab_to(page, matches, what: str, *, shift: bool = False) -> dict:
    """Tab (forward, or back with Shift), checking every stop, until the focus is on what
    we want."""
    for _ in range(MAX_STOPS):
        focused = _tab(page, shift=shift)
        if matches(focused):
            return focused
    raise AssertionError(f"{what} was not reached in {MAX_STOPS} Tab presses on {page.url}")


def test_a_member_replies_and_chats_with_the_keyboard_only(page, asgi_server):
    maya = make_member(username="maya", display_name="Maya")
    sam = make_member(username="sam", display_name="Sam")
    topic = make_topic(author=sam, category=make_category(), title="Proofing in a cold kitchen")
    make_reply(topic=topic, author=sam, body="My kitchen is 16 °C in winter.")
    make_room(slug="lobby", name="Lobby")

    sign_in(page, maya.email, PASSWORD)
    page.goto(topic.get_absolute_url())

    # The first Tab stop is the skip link; Enter moves past the header into the page.
    skip = _tab(page)
    assert skip["name"] == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Down the topic to the reply box, and back one stop and forward again.
    _tab_to(page, lambda f: f["tag"] == "textarea", "The reply box")
    _tab(page, shift=True)
    _tab_to(page, lambda f: f["tag"] == "textarea", "The reply box")
    expect(page.get_by_label("Your post")).to_be_focused()
    page.keyboard.type("A warm oven with only the light on works for me.")
    _tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "Post reply", "Post reply")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    expect(page.get_by_text("A warm oven with only the light on works for me.")).to_be_visible()
    assert Post.objects.filter(topic=topic, author=maya, number=3).exists()

    # The page opened at the new reply: back up to the header's Chat link, into the
    # Lobby, and a message.
    _tab_to(
        page,
        lambda f: f["tag"] == "a" and f["name"].startswith("Chat"),
        "The Chat link",
        shift=True,
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/chat/")
    _tab_to(page, lambda f: f["tag"] == "a" and f["name"] == "Lobby", "The Lobby link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/chat/lobby/")
    expect(page.locator(".chat.is-live")).to_be_visible(timeout=WAIT)
    _tab_to(page, lambda f: f["tag"] == "textarea", "The message box")
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    page.keyboard.type("Hello from the keyboard!")
    page.keyboard.press("Enter")
    expect(page.locator(".chat__log").get_by_text("Hello from the keyboard!")).to_be_visible(
        timeout=WAIT
    )
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    expect(page.get_by_role("textbox", name="Message")).to_have_value("")
    assert ChatMessage.objects.filter(author=maya, body="Hello from the keyboard!").exists()
