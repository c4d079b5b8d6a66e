"""Writing with the keyboard alone: "@ma" offers Maya, Enter puts her name in; the emoji
button opens a grid of emoji to walk with the arrows; the reply shows both."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_accessibility import WCAG_TAGS, axe_violations
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_topic


def test_a_member_mentions_maya_and_adds_an_emoji_without_the_mouse(new_page):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    make_member(username="mazie", display_name="Mazie")
    make_member(username="sam", display_name="Sam")
    topic = make_topic(author=make_member(username="rosa"), title="Over-proofed again")

    page = new_page(width=360, height=800)
    sign_in(page, "sam@example.com", PASSWORD)
    page.goto(topic.get_absolute_url())
    box = page.get_by_label("Your post")
    box.click()
    box.press_sequentially("Thanks @ma")

    suggestions = page.get_by_role("listbox", name="Members to mention")
    expect(suggestions.get_by_role("option")).to_have_count(2)
    expect(suggestions.get_by_role("option").first).to_contain_text("@maya")
    expect(box).to_have_attribute("aria-controls", suggestions.get_attribute("id"))
    box.press("ArrowDown")
    maya = suggestions.get_by_role("option", name=re.compile("@maya"))
    expect(maya).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", maya.get_attribute("id"))
    screenshot(page, "composer-mention-360")
    assert not _wcag_problems(page)
    box.press("Enter")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_value("Thanks @maya ")
    expect(box).to_be_focused()
    # The box was told: the live preview follows, the mention already a link.
    expect(page.locator("[data-preview-body] a.mention")).to_have_text("@maya")

    # Tab leaves the box for the emoji button; Escape closes the grid and comes back.
    page.keyboard.press("Tab")
    opener = page.get_by_role("button", name="Insert an emoji")
    expect(opener).to_be_focused()
    expect(opener).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(opener).to_have_attribute("aria-expanded", "true")
    emoji = page.get_by_role("group", name="Emoji")
    expect(emoji.get_by_role("button", name="grinning face", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(emoji).to_be_hidden()
    expect(opener).to_be_focused()
    expect(opener).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    screenshot(page, "composer-emoji-360")
    assert not _wcag_problems(page)
    expect(emoji.get_by_role("button", name="smiling face", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(emoji).to_be_hidden()
    expect(box).to_have_value("Thanks @maya 😊")
    expect(box).to_be_focused()
    page.keyboard.type(" See you Saturday.")

    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    posted = page.locator("#post-2 .post__body")
    mention = posted.locator("a.mention")
    expect(mention).to_have_text("@maya")
    expect(mention).to_have_attribute("href", "/members/maya/")
    expect(posted).to_contain_text("😊 See you Saturday.")


def _wcag_problems(page) -> list[str]:
    """axe-core's WCAG A/AA findings on the page as it is (the list or the grid open)."""
    return [
        f"{v['id']}: {' '.join(n['target'])}"
        for v in axe_violations(page)
        if WCAG_TAGS & set(v["tags"])
        for n in v["nodes"]
    ]


def test_on_the_new_topic_page_a_click_picks_a_name_and_escape_lets_the_list_go(page):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    make_member(username="mazie", display_name="Mazie")
    make_member(username="bakerfern", display_name="Fern Baker")
    make_member(username="sam", display_name="Sam")

    sign_in(page, "sam@example.com", PASSWORD)
    page.goto("/forum/new/")
    box = page.get_by_label("Your post")
    box.click()
    box.press_sequentially("Hello @ma")
    suggestions = page.get_by_role("listbox", name="Members to mention")
    expect(suggestions.get_by_role("option")).to_have_count(2)
    box.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(box).to_be_focused()
    box.press("Enter")  # nothing was chosen: Enter is a new line, as ever
    expect(box).to_have_value("Hello @ma\n")

    box.press_sequentially("and @Fern")  # a display name finds the member too
    option = suggestions.get_by_role("option", name=re.compile("Fern Baker"))
    expect(suggestions.get_by_role("option")).to_have_count(1)
    option.click()
    expect(suggestions).to_be_hidden()
    expect(box).to_have_value("Hello @ma\nand @bakerfern ")
    expect(box).to_be_focused()
