"""The throwaway-reaction attempt from issue 11, in real browsers against a live server:
Robin (referred by Maya, already active, so one reaction from a member who counts would
convert the referral) signs up a second account with a disposable address through her own
link, posts a topic, and reacts to it from the second account. Maya's referral of Robin
stays "active" and earns nothing: the throwaway's reaction is not one that counts. Robin
sees her second account held for review."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from referrals import points
from referrals.models import PointsEntry, Referral, Stage, Status
from tests.e2e.conftest import react, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category
from tests.referrals.factories import link_for, make_referral

THROWAWAY_PASSWORD = "a-long-and-disposable-passphrase-7"


def test_a_throwaway_accounts_reaction_does_not_convert_the_referral(page, new_page, asgi_server):
    make_category(name="Baking", slug="baking")
    maya = make_member(username="maya", display_name="Maya")
    robin = make_member(username="robin", display_name="Robin", trust_level=None, joined_days_ago=0)
    make_referral(referrer=maya, referee=robin, stage=Stage.ACTIVE)
    robins_link = link_for(robin).get_absolute_url()

    # Robin starts a topic.
    sign_in(page, "robin@example.com", PASSWORD)
    page.goto("/forum/new/?category=baking")
    page.get_by_label("Title").fill("Hello from a new baker")
    page.get_by_label("Your post").fill("Maya told me this is the place for bread questions.")
    page.get_by_role("button", name="Start the topic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello from a new baker")
    topic_url = page.url

    # In another browser she follows her own link and makes a throwaway account.
    throwaway = new_page()
    throwaway.goto(robins_link)
    throwaway.get_by_role("link", name="Join", exact=True).click()
    throwaway.get_by_label("Email").fill("robin2@mailinator.com")
    throwaway.get_by_label("Username").fill("robin2")
    throwaway.locator("#id_password1").fill(THROWAWAY_PASSWORD)
    throwaway.get_by_label("Password (again)").fill(THROWAWAY_PASSWORD)
    throwaway.get_by_role("button", name="Sign Up").click()
    expect(throwaway.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    confirm = asgi_server.link_in_last_email_to(
        "robin2@mailinator.com", r"http://[^\s]+/accounts/confirm-email/[^\s]+/"
    )
    throwaway.goto(re.sub(r"^http://[^/]+", "", confirm))
    throwaway.get_by_role("button", name="Confirm").click()
    expect(throwaway.get_by_role("link", name="robin2")).to_be_visible()

    # The throwaway likes Robin's topic: the button works like anyone's...
    throwaway.goto(topic_url)
    like = react(throwaway, "#post-1", "Like")
    expect(like).to_have_attribute("aria-pressed", "true")

    # ...but Maya's referral of Robin is still "active", and Maya has no points.
    maya_page = new_page()
    sign_in(maya_page, "maya@example.com", PASSWORD)
    maya_page.goto("/referrals/")
    item = maya_page.locator(".referral-item", has_text="Robin")
    expect(item.locator(".referral-item__stage")).to_have_text("Active")
    expect(maya_page.locator(".points-balance__value")).to_have_text("0")

    # Robin's own page shows the throwaway held for a moderator, in plain words.
    page.goto("/referrals/")
    held = page.locator(".referral-item", has_text="robin2")
    expect(held).to_contain_text("Held for review")
    expect(held).to_contain_text("throwaway email address")

    referral = Referral.objects.get(referee=robin)
    assert referral.stage == Stage.ACTIVE
    assert referral.credited_at is None
    assert points.balance(maya) == 0
    # Robin keeps the points for starting a topic; the throwaway's reaction adds none.
    assert not PointsEntry.objects.filter(member=robin, reason__contains="reacted").exists()
    assert Referral.objects.get(referee__username="robin2").status == Status.HELD
