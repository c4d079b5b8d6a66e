"""Badges in real browsers against a live server: Maya has her topic open → Sam likes it,
her hundredth reaction → a toast tells Maya at once that she earned "Well liked", and
the badge's page lists her. The badge pages fit a small phone."""

from __future__ import annotations

from playwright.sync_api import expect

from referrals.models import MemberAction, MemberBadge, PointsRule
from tests.e2e.conftest import react, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_topic


def _open_with_live_bell(page, url: str) -> None:
    """Open ``url`` and wait until the bell's socket has said hello (its first frame: it
    has joined the member's group, so nothing sent from now on is missed). site.js tells
    the page about every count it hears (``hearth:unread``); the mark is the test's own."""
    page.add_init_script(
        "document.addEventListener('hearth:unread', () => {"
        " document.documentElement.dataset.bellHeard = 'yes'; });"
    )
    page.goto(url)
    expect(page.locator("html[data-bell-heard=yes]")).to_have_count(1)


def test_a_member_with_the_page_open_sees_the_badge_she_earns_live(page, new_page):
    maya_member = make_member(username="maya", display_name="Maya")
    make_member(username="sam", display_name="Sam")
    topic = make_topic(author=maya_member, category=make_category(slug="baking"), tags=())
    # Ninety-nine reactions from earlier days: the next one is her hundredth.
    MemberAction.objects.bulk_create(
        MemberAction(
            member=maya_member,
            action=PointsRule.Action.REACTION_RECEIVED,
            key=f"reaction_received:earlier:{n}",
            reason="Earlier",
        )
        for n in range(99)
    )

    maya = page
    sign_in(maya, "maya@example.com", PASSWORD)
    _open_with_live_bell(maya, topic.get_absolute_url())
    expect(maya.locator(".toast")).to_have_count(0)

    sam = new_page()
    sign_in(sam, "sam@example.com", PASSWORD)
    sam.goto(topic.get_absolute_url())
    like = react(sam, "#post-1", "Like")
    expect(like).to_have_attribute("aria-pressed", "true")

    # The toast arrives on Maya's open page, in a live region, with a way to dismiss it.
    toast = maya.locator(".toasts[role=status] .toast")
    expect(toast).to_contain_text("You earned the silver badge “Well liked”")
    expect(maya.locator("[data-unread-count]")).not_to_have_text("0")
    assert MemberBadge.objects.filter(member=maya_member, badge="well_liked").exists()

    expect(toast.get_by_role("link")).to_have_attribute("href", "/badges/well_liked/")
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)

    # The badge's page lists her, and her name in the forum carries it, told in words too.
    maya.goto("/badges/well_liked/")
    expect(maya.get_by_role("heading", level=1)).to_have_text("Well liked")
    expect(maya.locator(".badge-holders")).to_contain_text("Maya")
    maya.goto(topic.get_absolute_url())
    expect(maya.locator("#post-1 .member-badge")).to_have_text("Silver badge: Well liked")


def test_the_badge_pages_fit_a_small_phone(new_page):
    make_member(username="maya", display_name="Maya")
    phone = new_page(width=360, height=740)
    sign_in(phone, "maya@example.com", PASSWORD)
    phone.goto("/badges/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Badges")
    expect(phone.get_by_role("heading", name="Gold badges")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    phone.get_by_role("link", name="Fount of wisdom").click()
    expect(phone.get_by_text("Nobody has earned it yet.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
