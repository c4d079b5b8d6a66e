"""Forms in a real browser (issue 14): a counter shows near a field's limit, text over it
is refused by the server with its own message and kept, and a failed save puts the
error summary in view with focus on it, at phone width."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from community.forum.models import Topic
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category

LONG_TITLE = ("Sourdough starter questions and answers, " * 6)[:214] + "!"


def test_a_failed_profile_save_puts_the_error_summary_in_view_with_focus(new_page):
    make_member(username="maya", display_name="Maya")
    page = new_page(width=360, height=740)
    sign_in(page, "maya@example.com", PASSWORD)
    page.goto("/members/maya/edit/")

    bio = page.get_by_label("Short bio")
    counter = page.locator("#id_bio-count")
    bio.fill("x" * 100)
    expect(counter).to_be_hidden()  # far from the limit: no counter yet
    bio.fill("x" * 450)
    expect(counter).to_have_text("450 of 500 characters")
    assert "id_bio-count" in bio.get_attribute("aria-describedby").split()
    bio.fill("x" * 510)
    expect(counter).to_have_text("10 characters too many")
    # Read out politely once the member pauses.
    expect(page.locator("#id_bio-count + [data-char-count-live]")).to_have_text(
        "10 characters too many"
    )
    assert bio.input_value() == "x" * 510  # the browser cut nothing

    page.get_by_label("Display name").fill("<Maya>")
    page.get_by_role("button", name="Save profile").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link", name=re.compile("A bio can be at most 500"))).to_be_visible()
    assert page.title().startswith("Error: ")
    # Nothing the member typed is lost.
    expect(bio).to_have_value("x" * 510)
    expect(page.get_by_label("Display name")).to_have_value("<Maya>")
    # No sideways scrolling at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "forms-error-summary-360")
    # A long checkbox label stays beside its box on a phone too.
    _on_one_row(
        page.get_by_role("checkbox", name="Email me when someone mentions me"),
        page.locator("label", has_text="Email me when someone mentions me"),
    )

    # A link in the summary puts the cursor in its field.
    summary.get_by_role("link", name=re.compile("Display names")).click()
    expect(page.get_by_label("Display name")).to_be_focused()


def test_a_215_character_title_is_refused_by_the_server_not_cut_by_the_browser(page):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    sign_in(page, "maya@example.com", PASSWORD)
    page.goto("/forum/new/?category=baking")

    title = page.get_by_label("Title")
    title.fill("x" * 140)
    expect(page.locator("#id_title-count")).to_have_text("140 of 150 characters")
    title.fill(LONG_TITLE)
    assert title.input_value() == LONG_TITLE
    expect(page.locator("#id_title-count")).to_have_text("65 characters too many")
    page.get_by_label("Your post").fill("My careful text")
    page.get_by_role("button", name="Start the topic").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("A title can be at most 150 characters (this one has 215).")
    expect(page.get_by_label("Title")).to_have_value(LONG_TITLE)
    expect(page.get_by_label("Your post")).to_have_value("My careful text")
    assert not Topic.objects.exists()


def _on_one_row(box, label) -> None:
    expect(box).to_be_visible()
    b, lab = box.bounding_box(), label.bounding_box()
    # Their vertical extents overlap, and the label starts to the right of the box.
    assert b["y"] < lab["y"] + lab["height"] and lab["y"] < b["y"] + b["height"], (b, lab)
    assert lab["x"] > b["x"] + b["width"] - 1, (b, lab)


def test_remember_me_sits_on_one_row_with_its_checkbox(new_page):
    for width in (1280, 360):
        page = new_page(width=width, height=800)
        page.goto("/accounts/login/")
        box = page.get_by_role("checkbox", name="Remember me")
        label = page.locator("label", has_text="Remember me")
        _on_one_row(box, label)
        assert label.bounding_box()["height"] < 2 * box.bounding_box()["height"] + 10
    # A failed sign-in opens with the same error summary, focused.
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.get_by_label("Email")).to_have_value("nobody@example.com")
    assert page.title().startswith("Error: Sign in")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "sign-in-error-360")
