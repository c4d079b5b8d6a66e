"""Writing a reply: the preview beside the box is what gets posted, and a half-written
reply survives closing the tab."""

from __future__ import annotations

from playwright.sync_api import expect

from community.forum.models import Draft
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_topic

TEXT = "**Shorter** bulk rise, @sam, and a [chart](https://example.com/chart) helps."


def test_a_draft_survives_closing_the_tab_and_the_preview_is_what_is_posted(browser, asgi_server):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    sam = make_member(username="sam", display_name="Sam")
    topic = make_topic(author=sam, title="Over-proofed again")

    context = browser.new_context(base_url=asgi_server.url, viewport={"width": 360, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, "maya@example.com", PASSWORD)
    page.goto(topic.get_absolute_url())
    page.get_by_label("Your post").fill(TEXT)
    preview = page.locator("[data-preview-body]")
    expect(preview.locator("strong")).to_have_text("Shorter")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    screenshot(page, "forum-preview-and-draft-360")
    page.close()  # the tab is gone; the draft is not
    assert Draft.objects.get().body == TEXT

    page = context.new_page()
    page.goto(topic.get_absolute_url())
    box = page.get_by_label("Your post")
    expect(box).to_have_value(TEXT)
    expect(page.get_by_text("Your draft is back")).to_be_visible()
    expect(preview_of(page).locator("strong")).to_have_text("Shorter")
    previewed = preview_of(page).inner_html()
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    posted = page.locator("#post-2 .post__body").inner_html()
    assert posted == previewed
    assert not Draft.objects.exists()
    context.close()


def preview_of(page):
    return page.locator("[data-preview-body]")


def test_on_a_wide_screen_the_preview_sits_beside_the_box(browser, asgi_server):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    topic = make_topic(author=make_member(username="sam"), title="Crumb too tight")
    context = browser.new_context(base_url=asgi_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    sign_in(context.new_page(), "maya@example.com", PASSWORD)
    for path in (topic.get_absolute_url(), "/forum/new/?category=baking"):
        page = context.new_page()
        page.goto(path)
        box = page.get_by_label("Your post")
        box.fill("**Side** by side")
        preview = page.locator("[data-preview]")
        expect(preview.locator("strong")).to_have_text("Side")
        box_area, preview_area = box.bounding_box(), preview.bounding_box()
        assert box_area and preview_area
        assert preview_area["x"] >= box_area["x"] + box_area["width"], path  # beside, not under
        assert preview_area["y"] < box_area["y"] + box_area["height"], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        screenshot(page, "forum-preview-beside-1280")
        page.close()
    context.close()
