"""A visitor on a phone searches for a word only a reply holds, follows the result to that
post, then searches within the topic (issue 14)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import make_member
from tests.forum.factories import bulk_posts, make_category, make_reply, make_topic


def test_a_visitor_finds_a_word_only_in_a_reply_and_lands_on_the_post(new_page, asgi_server):
    maya = make_member(username="maya", display_name="Maya")
    ines = make_member(username="ines", display_name="Inès")
    category = make_category(name="Baking", slug="baking")
    topic = make_topic(
        author=maya,
        category=category,
        title="Feeding a starter",
        body="Use **rye flour** and [this guide](https://example.com/guide).",
    )
    bulk_posts(topic, maya, 25)
    reply = make_reply(
        topic=topic, author=ines, body="A spoon of **pineapple** juice wakes up a sleepy rye."
    )
    make_topic(author=maya, category=category, title="Rye crackers", body="Thin rye crackers.")

    page = new_page(width=360, height=780)
    page.goto("/search/")
    form = page.get_by_role("search").filter(has=page.get_by_label("Search blog posts"))
    form.get_by_label("Search blog posts, guides and the forum").fill("pineapple")
    form.get_by_role("button", name="Search").click()

    result = page.locator(".search-result")
    expect(result).to_have_count(1)
    expect(result.get_by_role("link", name="Feeding a starter")).to_be_visible()
    expect(result).to_contain_text("by Inès")
    expect(result.locator("mark")).to_have_text("pineapple")
    expect(result).not_to_contain_text("**")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "search-results-360")

    result.get_by_role("link", name="Feeding a starter").click()
    page.wait_for_url(re.compile(rf"\?page=2#post-{reply.number}$"))
    post = page.locator(f"#post-{reply.number}")
    expect(post).to_contain_text("pineapple juice")
    expect(post).to_be_in_viewport()
    expect(page.get_by_label("Search this topic")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The topic page searches this topic only: its opening post and the reply, not the
    # other topic about rye.
    page.get_by_label("Search this topic").fill("rye")
    page.get_by_label("Search this topic").press("Enter")
    expect(page.get_by_text("Searching only in")).to_be_visible()
    expect(page.locator(".search-result")).to_have_count(2)
    expect(page.get_by_role("link", name="Rye crackers")).to_have_count(0)
    screenshot(page, "search-in-topic-360")
    page.get_by_role("link", name="Search the whole site instead").click()
    expect(page.get_by_role("link", name="Rye crackers")).to_be_visible()
