from __future__ import annotations


def test_it_serves_the_home_page_to_a_real_browser(page):
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome to the Hearth community"
