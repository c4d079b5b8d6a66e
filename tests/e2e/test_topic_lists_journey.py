"""A member finds what she missed: the Unread list shows a watched topic with a new reply,
and once she has read it the list says she is caught up."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_topic


def test_unread_lists_a_watched_topic_with_new_posts(page, new_page, asgi_server):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    sam = make_member(username="sam", display_name="Sam")
    topic = make_topic(author=sam, title="Rye starter smells of acetone")

    sign_in(page, "maya@example.com", PASSWORD)
    page.goto(topic.get_absolute_url())
    page.get_by_label("Notifications").select_option("watching")
    expect(page.get_by_role("status").filter(has_text="You are watching")).to_be_visible()

    page.goto("/forum/")
    page.get_by_role("navigation", name="Topic lists").get_by_role("link", name="Unread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unread")
    expect(page.get_by_text("You are all caught up.")).to_be_visible()

    # Sam replies through the site: the server hears it (a write from the test process
    # would not reach the server process's own in-memory cache on the SQLite lane, where
    # the topic page's rows are kept: community/forum/topic_rows.py).
    sam_page = new_page()
    sign_in(sam_page, "sam@example.com", PASSWORD)
    sam_page.goto(topic.get_absolute_url())
    sam_page.get_by_label("Your post").fill("Feed it more often: it is hungry.")
    sam_page.get_by_role("button", name="Post reply").click()
    expect(sam_page.get_by_text("Your reply is posted.")).to_be_visible()
    page.reload()
    row = page.get_by_role("link", name="Rye starter smells of acetone")
    expect(row).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "forum-unread-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    row.click()
    expect(page.locator("#post-2")).to_contain_text("it is hungry")

    page.goto("/forum/unread/")
    expect(page.get_by_text("You are all caught up.")).to_be_visible()
