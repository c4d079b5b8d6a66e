"""The signed-in header fits in one row from 1024 px and collapses cleanly below (issue 14)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_member, make_moderator


def _top(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box, selector
    return box["y"] + box["height"] / 2


@pytest.mark.parametrize("staff", [False, True], ids=["member", "moderator"])
@pytest.mark.parametrize("width", [1024, 1280])
def test_the_signed_in_header_is_one_row_on_wide_screens(page, asgi_server, width, staff):
    # A long name; a moderator also has the Admin link.
    make = make_moderator if staff else make_member
    make(username="margarethe", display_name="Margarethe Okonkwo", password=PASSWORD)
    sign_in(page, "margarethe@example.com", PASSWORD)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/forum/")
    middle = _top(page, ".site-brand")
    for part in (".site-nav", ".site-search", ".bell", ".site-account__me", ".site-account form"):
        assert abs(_top(page, part) - middle) < 12, f"{part} is not on the brand's row at {width}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The member's name is still there for screen readers when it is not shown.
    expect(page.get_by_role("link", name="Margarethe Okonkwo")).to_have_count(1)


@pytest.mark.parametrize("width", [360, 800, 1023])
def test_below_1024_the_menu_collapses_behind_its_button(page, asgi_server, width):
    make_member(username="margarethe", display_name="Margarethe Okonkwo", password=PASSWORD)
    sign_in(page, "margarethe@example.com", PASSWORD)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/forum/")
    toggle = page.get_by_role("button", name="Open the Menu")
    expect(toggle).to_be_visible()
    expect(page.locator("#site-nav")).to_be_hidden()
    toggle.click()
    expect(page.get_by_role("link", name="Leaderboard")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
