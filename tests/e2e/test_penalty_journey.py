"""Penalties people understand: the notice replaces the chat input live, and an appeal
reaches a different moderator who lifts it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.chat.factories import make_room
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_member, make_moderator
from tests.forum.factories import make_topic

WAIT = 15_000


def test_a_muted_members_chat_input_is_replaced_live_by_the_notice(page, new_page, asgi_server):
    make_member(username="maya", display_name="Maya", password=PASSWORD)
    make_moderator(username="mo", display_name="Mo", password=PASSWORD)
    make_room(slug="lobby", name="Lobby")

    sign_in(page, "maya@example.com", PASSWORD)
    page.goto("/chat/lobby/")
    expect(page.locator(".chat.is-live")).to_be_visible(timeout=WAIT)
    box = page.get_by_role("textbox", name="Message")
    expect(box).to_be_visible()

    mo = new_page()
    sign_in(mo, "mo@example.com", PASSWORD)
    mo.goto("/chat/lobby/")
    mo.get_by_text("Mute a member in this room").click()
    mo.get_by_label("Member's username").fill("maya")
    mo.get_by_label("Mute for").select_option(label="1 hour")
    mo.get_by_label("Rule broken").select_option(label="Personal attacks")
    mo.get_by_label("Note to the member (also in the audit log)").fill("Cool off, please.")
    mo.get_by_role("button", name="Mute", exact=True).click()
    expect(mo.locator(".messages")).to_contain_text("is muted in Lobby", timeout=WAIT)

    # Maya's page changes without a reload: no input, the notice with its Appeal link.
    notice = page.locator("[data-standing] [data-penalty-notice]")
    expect(notice).to_contain_text("You are muted in the room Lobby until", timeout=WAIT)
    expect(notice).to_contain_text("Personal attacks")
    expect(notice).to_contain_text("Cool off, please.")
    expect(box).to_be_hidden()
    expect(notice.get_by_role("link", name="Appeal")).to_have_attribute(
        "href", re.compile(r"^/penalties/\d+/$")
    )


def test_silenced_then_appealed_then_lifted_by_another_moderator(page, new_page, asgi_server):
    maya = make_member(username="maya", display_name="Maya", password=PASSWORD)
    make_moderator(username="mo", display_name="Mo", password=PASSWORD)
    make_moderator(username="sam", display_name="Sam", password=PASSWORD)
    topic = make_topic(author=maya, title="Proofing baskets")

    mo = new_page(width=360, height=780)
    sign_in(mo, "mo@example.com", PASSWORD)
    mo.goto("/members/maya/")
    mo.get_by_label("Action").select_option("silence")
    mo.get_by_label("Days").fill("3")
    mo.get_by_label("Rule broken").select_option(label="Personal attacks")
    mo.get_by_label("Reason").fill("Name-calling in Proofing baskets.")
    mo.get_by_role("button", name="Apply").click()
    expect(mo.locator(".messages")).to_contain_text("silenced", timeout=WAIT)

    # Maya, at 360 px: the banner on the page, no reply box, and the appeal.
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, "maya@example.com", PASSWORD)
    page.goto(topic.get_absolute_url())
    banner = page.locator(".penalty-banner")
    expect(banner).to_contain_text("You are silenced until")
    expect(banner).to_contain_text("Talk about ideas, not people")
    expect(page.get_by_role("button", name="Post reply")).to_have_count(0)
    banner.get_by_role("link", name="Appeal").click()
    page.get_by_label("Why should a moderator look at this again?").fill(
        "I was quoting the other person."
    )
    page.get_by_role("button", name="Send my appeal").click()
    expect(page.locator(".messages")).to_contain_text("Your appeal is sent", timeout=WAIT)

    # Sam (not Mo, who gave it) lifts it with a reply.
    sam = new_page(width=360, height=780)
    sign_in(sam, "sam@example.com", PASSWORD)
    sam.goto("/admin/moderation/appeals/")
    sam.get_by_role("link", name=re.compile("Maya against being silenced")).click()
    sam.get_by_label(re.compile("Lift: it ends now")).check()
    sam.get_by_label("Reply to the member").fill("You were quoting; lifted, sorry.")
    sam.get_by_role("button", name="Decide and tell the member").click()
    expect(sam.get_by_text("Decided; Maya has been told.")).to_be_visible(timeout=WAIT)

    page.goto(topic.get_absolute_url())
    expect(page.locator(".penalty-banner")).to_have_count(0)
    expect(page.get_by_role("button", name="Post reply")).to_be_visible()
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("Your appeal was accepted")
    assert asgi_server.emails_to("maya@example.com")
