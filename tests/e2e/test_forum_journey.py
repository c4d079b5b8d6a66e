"""Two members and a moderator in the forum, in real browsers against a live server:
Maya starts a topic, Sam replies mentioning her, Maya's bell rises without a reload,
she reacts and marks Sam's reply as the solution, and Mo locks the topic."""

from __future__ import annotations

from playwright.sync_api import expect

from community.forum.models import Topic
from tests.e2e.conftest import react, sign_in
from tests.factories import PASSWORD, make_member, make_moderator
from tests.forum.factories import make_category


def test_a_topic_gets_a_reply_a_live_bell_a_reaction_a_solution_and_a_lock(
    page, new_page, asgi_server
):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    make_member(username="sam", display_name="Sam")
    make_moderator(username="moira", display_name="Moira")

    # Maya starts a topic and keeps the page open (the bell's socket connects).
    maya = page
    sign_in(maya, "maya@example.com", PASSWORD)
    maya.goto("/forum/new/?category=baking")
    maya.get_by_label("Title").fill("Why does my loaf spread flat?")
    maya.get_by_label("Your post").fill("It tastes fine but spreads like a pancake.")
    maya.get_by_role("button", name="Start the topic").click()
    expect(maya.get_by_role("heading", level=1)).to_have_text("Why does my loaf spread flat?")
    # The count frame came: the socket has joined (waiting on the page, not on a frame
    # event, which may have passed before a listener was set).
    expect(maya.locator("[data-live=joined]")).to_have_count(1)
    bell = maya.locator("[data-unread-count]")
    expect(bell).to_have_text("1")  # her first post earned the "First post" badge
    topic_url = maya.url

    # Sam replies, mentioning Maya.
    sam = new_page()
    sign_in(sam, "sam@example.com", PASSWORD)
    sam.goto(topic_url)
    sam.get_by_label("Your post").fill("@maya your dough is over-proofed: shorten the bulk rise.")
    sam.get_by_role("button", name="Post reply").click()
    expect(sam.get_by_text("Your reply is posted.")).to_be_visible()

    # Maya's bell rises on the page she never reloaded.
    expect(bell).to_have_text("2")
    expect(bell).not_to_have_class("bell__count is-zero")
    assert maya.url == topic_url

    # She opens the reply, reacts (htmx, no reload) and marks it as the solution.
    maya.reload()
    reply = maya.locator("#post-2")
    expect(reply.get_by_role("link", name="@maya")).to_have_attribute("href", "/members/maya/")
    # Nobody has reacted yet: no counts, one control that offers the reactions.
    expect(reply.locator(".reaction__count")).to_have_count(0)
    heart = react(maya, "#post-2", "Heart")
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(heart.locator(".reaction__count")).to_have_text("1")
    reply.get_by_role("button", name="Mark as solution").click()
    expect(maya.get_by_text("Marked as the solution.")).to_be_visible()
    expect(maya.locator("#post-2").get_by_text("✔ Solution")).to_be_visible()

    # A moderator locks the topic; Sam can no longer reply.
    moira = new_page()
    sign_in(moira, "moira@example.com", PASSWORD)
    moira.goto(topic_url)
    moira.get_by_text("Moderate this topic").click()
    moira.get_by_role("button", name="Lock", exact=True).click()
    expect(moira.get_by_text("The topic is locked.")).to_be_visible()
    expect(moira.get_by_text("🔒 Locked")).to_be_visible()

    sam.goto(topic_url)
    expect(sam.get_by_text("This topic is locked: it no longer takes replies.")).to_be_visible()
    expect(sam.get_by_label("Your post")).to_have_count(0)

    topic = Topic.objects.get()
    assert topic.locked and topic.solution.number == 2


def test_the_topic_page_fits_a_small_phone(new_page, asgi_server):
    from tests.forum.factories import make_reply, make_topic

    author = make_member(username="maya", display_name="Maya")
    topic = make_topic(author=author, category=make_category(), title="A long title " * 8)
    # The author's own reply: nobody is notified (no live send from the test's thread).
    make_reply(topic=topic, author=author, body="https://example.com/" + "x" * 120)
    phone = new_page(width=360, height=740)
    sign_in(phone, "maya@example.com", PASSWORD)
    phone.goto(topic.get_absolute_url())
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
