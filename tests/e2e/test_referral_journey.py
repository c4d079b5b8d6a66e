"""A referral from link to leaderboard, in real browsers against a live server:
Maya copies her link → a visitor in a fresh browser follows it, signs up and verifies
from the outbox → posts a topic, which stays up a day → Sam reacts to it → Maya's page
shows "converted" and she tops the leaderboard."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from referrals import actions
from referrals.models import ActivityCandidate, Referral, Stage
from tests.e2e.conftest import react, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category

FRIEND_PASSWORD = "a-long-and-lovely-passphrase-42"


def test_a_friend_follows_the_link_joins_posts_gets_a_reaction_and_the_referral_converts(
    page, new_page, asgi_server
):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    make_member(username="sam", display_name="Sam")

    # Maya copies her personal link from her referral page.
    maya = page
    maya.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=asgi_server.url)
    sign_in(maya, "maya@example.com", PASSWORD)
    maya.goto("/referrals/")
    expect(maya.get_by_role("heading", level=1)).to_have_text("Invite friends")
    maya.get_by_role("button", name="Copy link").click()
    expect(maya.get_by_text("Link copied.")).to_be_visible()
    copied = maya.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/r/[a-z2-9]{8}/", copied), copied
    assert copied == maya.get_by_label("Your personal link (to the home page)").input_value()
    link_path = re.sub(r"^http://[^/]+", "", copied)

    # A visitor in a fresh browser follows it and lands on the home page...
    friend = new_page()
    friend.goto(link_path)
    expect(friend.get_by_role("heading", level=1)).to_have_text("Welcome to the Hearth community")
    # ...signs up and confirms the address from the outbox.
    friend.get_by_role("link", name="Join", exact=True).click()
    friend.get_by_label("Email").fill("robin@example.com")
    friend.get_by_label("Username").fill("robin")
    friend.locator("#id_password1").fill(FRIEND_PASSWORD)
    friend.get_by_label("Password (again)").fill(FRIEND_PASSWORD)
    friend.get_by_role("button", name="Sign Up").click()
    expect(friend.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    confirm = asgi_server.link_in_last_email_to(
        "robin@example.com", r"http://[^\s]+/accounts/confirm-email/[^\s]+/"
    )
    friend.goto(re.sub(r"^http://[^/]+", "", confirm))
    friend.get_by_role("button", name="Confirm").click()
    expect(friend.get_by_role("link", name="robin")).to_be_visible()

    # Maya sees her friend has joined.
    maya.goto("/referrals/")
    robin = maya.locator(".referral-item", has_text="robin")
    expect(robin.locator(".referral-item__stage")).to_have_text("Joined")

    # The friend starts a topic.
    friend.goto("/forum/new/?category=baking")
    friend.get_by_label("Title").fill("Hello from a new baker")
    friend.get_by_label("Your post").fill("Maya told me this is the place for bread questions.")
    friend.get_by_role("button", name="Start the topic").click()
    expect(friend.get_by_role("heading", level=1)).to_have_text("Hello from a new baker")
    topic_url = friend.url

    # A day later the topic is still up: the scheduled job makes the referral active (a
    # referral converts only once it is active).
    ActivityCandidate.objects.update(published_at=timezone.now() - timedelta(days=1, minutes=1))
    assert actions.promote_active_referrals() == 1
    maya.goto("/referrals/")
    expect(robin.locator(".referral-item__stage")).to_have_text("Active")

    # Sam, a third member, reacts to it.
    sam = new_page()
    sign_in(sam, "sam@example.com", PASSWORD)
    sam.goto(topic_url)
    like = react(sam, "#post-1", "Like")
    expect(like).to_have_attribute("aria-pressed", "true")

    # Maya's page now shows the referral as converted, with her points and badge...
    maya.goto("/referrals/")
    expect(robin.locator(".referral-item__stage")).to_have_text("Converted")
    expect(robin.get_by_text("Converted: this referral counts for you.")).to_be_visible()
    expect(maya.locator(".points-balance__value")).to_have_text("50")
    expect(maya.get_by_text("First friend")).to_be_visible()

    # ...and the leaderboard has her at the top.
    maya.get_by_role("link", name="See the leaderboard").click()
    expect(maya.get_by_text("you are #1 of 1")).to_be_visible()
    row = maya.locator("tbody tr").first
    expect(row).to_contain_text("#1")
    expect(row).to_contain_text("Maya")

    referral = Referral.objects.get()
    assert referral.referrer.username == "maya"
    assert referral.referee.username == "robin"
    assert referral.stage == Stage.CONVERTED


def test_the_referral_page_fits_a_small_phone(new_page, asgi_server):
    make_member(username="maya", display_name="Maya")
    phone = new_page(width=360, height=740)
    sign_in(phone, "maya@example.com", PASSWORD)
    phone.goto("/referrals/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    phone.goto("/leaderboard/")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
