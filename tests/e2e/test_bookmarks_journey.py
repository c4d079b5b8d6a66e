"""A member bookmarks a reply with a reminder, finds it under Bookmarks, and the reminder
rings her bell when its time comes (the scheduler's job, run with the clock moved on)."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_reply, make_topic


def test_a_bookmark_with_a_reminder_that_fires(page, asgi_server):
    make_category(name="Baking", slug="baking")
    maya = make_member(username="maya", display_name="Maya")
    sam = make_member(username="sam", display_name="Sam")
    topic = make_topic(author=sam, title="Proofing in a cold kitchen")
    make_reply(topic=topic, author=sam, body="Put the dough in the oven with the light on.")

    sign_in(page, "maya@example.com", PASSWORD)
    page.goto(topic.get_absolute_url())
    reply = page.locator("#post-2")
    reply.locator("summary", has_text="Bookmark").click()
    reply.get_by_label("Remind me").select_option(label="In an hour")
    reply.get_by_role("button", name="Save bookmark").click()
    expect(page.get_by_text("Bookmarked. We will remind you then.")).to_be_visible()
    expect(page.locator("#post-2").get_by_text("Bookmarked", exact=True)).to_be_visible()

    page.goto("/bookmarks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bookmarks")
    kept = page.get_by_role("link", name="Post #2 by Sam")
    expect(kept).to_be_visible()
    expect(page.get_by_text("Reminder", exact=False).first).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "bookmarks-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The scheduler's job, an hour and a minute later: the bell rings once.
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1), tick=False):
        call_command("send_bookmark_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.goto("/notifications/")
    reminder = page.get_by_role("link", name="Reminder: post #2 in “Proofing in a cold kitchen”.")
    expect(reminder).to_be_visible()
    reminder.click()
    expect(page.locator("#post-2")).to_contain_text("oven with the light on")
    assert maya.notifications.count() == 1
