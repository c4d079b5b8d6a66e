"""A member chooses how much she hears: she mutes a category on its page and its topics
leave Latest; she watches another topic and a reply by someone else rings her bell; on
her preferences page she asks for those by email too and unmutes the category."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_reply, make_topic


def test_muting_a_category_and_watching_a_topic(page, asgi_server):
    politics = make_category(name="Politics", slug="politics")
    baking = make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    sam = make_member(username="sam", display_name="Sam")
    make_topic(author=sam, category=politics, title="Who should run the village fete")
    watched = make_topic(author=sam, category=baking, title="Rye starter smells of acetone")

    sign_in(page, "maya@example.com", PASSWORD)
    page.goto("/forum/latest/")
    expect(page.get_by_role("link", name="Who should run the village fete")).to_be_visible()

    # She mutes Politics on its page (the select saves itself; Save without JS).
    page.goto("/forum/c/politics/")
    page.get_by_label("Notifications").select_option("muted")
    expect(page.get_by_role("status").filter(has_text="Muted")).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "forum-category-muted-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/forum/latest/")
    expect(page.get_by_role("link", name="Rye starter smells of acetone")).to_be_visible()
    expect(page.get_by_role("link", name="Who should run the village fete")).to_have_count(0)

    # She watches the rye topic; Sam replies; her bell rings (after a reload).
    page.goto(watched.get_absolute_url())
    expect(page.locator("[data-live=joined]")).to_have_count(1)
    bell = page.locator("[data-unread-count]")
    before = bell.inner_text()
    page.get_by_label("Notifications").select_option("watching")
    expect(page.get_by_role("status").filter(has_text="You are watching")).to_be_visible()
    make_reply(topic=watched, author=sam, body="Feed it more often: it is hungry.")
    page.reload()
    expect(bell).not_to_have_text(before)
    page.goto("/notifications/")
    expect(page.get_by_text("Sam replied in “Rye starter smells of acetone”")).to_be_visible()

    # Her preferences: email for new posts in watched topics; Politics back to normal.
    page.goto("/forum/")
    page.get_by_role("link", name="Notification preferences").click()
    page.get_by_label("A new post in a topic I watch").check()
    page.get_by_role("button", name="Save email choices").click()
    expect(page.get_by_text("Your email choices are saved.")).to_be_visible()
    expect(page.get_by_label("A new post in a topic I watch")).to_be_checked()
    page.get_by_label("Politics", exact=True).select_option("normal")
    politics = page.locator("#watch-category-politics").get_by_role("status")
    expect(politics).to_contain_text("Not watching")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "forum-preferences-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto("/forum/latest/")
    expect(page.get_by_role("link", name="Who should run the village fete")).to_be_visible()
