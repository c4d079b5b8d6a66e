"""Tables and long links on a 360 px phone: the page never scrolls sideways, a wide table
scrolls inside its own labelled, focusable region, no column is squeezed to a sliver and a
link reads in a few lines, not one character per line."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Invite
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member
from tests.referrals.factories import converted_referral, link_for

NARROWEST_CELL = 60  # px


def _page_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _narrowest_cells(page) -> list[dict]:
    """Every visible table cell narrower than NARROWEST_CELL, with its text."""
    return page.evaluate(
        """(least) => [...document.querySelectorAll("main td, main th")]
            .filter((cell) => cell.getClientRects().length)
            .map((cell) => ({text: cell.innerText, width: cell.getBoundingClientRect().width}))
            .filter((cell) => cell.width < least)""",
        NARROWEST_CELL,
    )


def _lines_of(locator) -> float:
    return locator.evaluate(
        """(element) => {
            const style = getComputedStyle(element);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
            return element.getBoundingClientRect().height / line;
        }"""
    )


def test_the_links_table_fits_a_phone(new_page, asgi_server):
    maya = make_member(username="maya", display_name="Maya")
    for slug in ("how-to-keep-a-rye-sourdough-starter-alive-while-on-holiday", "blog/a", "b"):
        link = link_for(maya, target_path=f"/guides/{slug}/")
        link.target_title = "How to keep a rye sourdough starter alive while you are on holiday"
        link.save(update_fields=["target_title"])
    Invite.objects.create(
        sender=maya,
        email="a.very.long.address.for.a.friend@example-bakery-of-the-north.co.uk",
        link=link_for(maya),
        expires_at=timezone.now() + timedelta(days=30),
    )

    phone = new_page(width=360, height=740)
    sign_in(phone, "maya@example.com", PASSWORD)
    phone.goto("/referrals/")

    expect(phone.get_by_role("heading", name="Links to guides, posts and topics")).to_be_visible()
    links = phone.get_by_role("region", name="Your links: visits, sign-ups and conversions")
    expect(links).to_be_visible()
    assert _page_overflow(phone) <= 0
    assert _narrowest_cells(phone) == []
    url = links.locator("code").first
    assert _lines_of(url) <= 3  # a link in a few lines, not one character per line
    # A narrow table needs no sideways scrolling at all: the long address wraps.
    invites = phone.get_by_role("region", name="Invitations you sent")
    expect(invites).to_contain_text("a.very.long.address")
    assert invites.evaluate("(region) => region.scrollWidth <= region.clientWidth")
    links.scroll_into_view_if_needed()
    screenshot(phone, "links-table-360")

    # The region scrolls with the keyboard: it takes focus, and the arrow keys move it.
    links.focus()
    expect(links).to_be_focused()
    if links.evaluate("(region) => region.scrollWidth > region.clientWidth"):
        phone.keyboard.press("ArrowRight")
        phone.wait_for_function("() => document.activeElement.scrollLeft > 0")


def test_the_leaderboard_and_points_fit_a_phone(new_page, asgi_server):
    maya = make_member(username="maya", display_name="Maya Featherstonehaugh-Worthington")
    for _ in range(2):
        converted_referral(referrer=maya)

    phone = new_page(width=360, height=740)
    sign_in(phone, "maya@example.com", PASSWORD)
    for path in ("/leaderboard/", "/referrals/", "/points/"):
        phone.goto(path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        assert _page_overflow(phone) <= 0, path
        assert _narrowest_cells(phone) == [], path
    phone.goto("/leaderboard/")
    expect(phone.get_by_role("region", name="Converted referrals")).to_be_visible()
    screenshot(phone, "leaderboard-360")
