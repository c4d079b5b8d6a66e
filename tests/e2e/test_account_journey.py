"""A visitor becomes a member: home → sign up → verify from the outbox → sign in →
edit the profile with an avatar → see the public profile → sign out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import image_bytes

PASSWORD = "a-long-and-lovely-passphrase-42"


def test_a_visitor_signs_up_verifies_edits_their_profile_and_signs_out(page, asgi_server, tmp_path):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to the Hearth community")
    page.get_by_role("link", name="Join", exact=True).click()

    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Username").fill("robin")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    link = asgi_server.link_in_last_email_to(
        "robin@example.com", r"http://[^\s]+/accounts/confirm-email/[^\s]+/"
    )
    page.goto(re.sub(r"^http://[^/]+", "", link))
    page.get_by_role("button", name="Confirm").click()
    # Confirming signs the new member in.
    expect(page.get_by_role("link", name="robin")).to_be_visible()

    page.goto("/members/robin/edit/")
    page.get_by_label("Display name").fill("Robin Hart")
    page.get_by_label("Short bio").fill("Here to learn and to help.")
    page.get_by_label("Birthday month").select_option("March")
    page.get_by_label("Birthday day").select_option("14")
    avatar = tmp_path / "me.png"
    avatar.write_bytes(image_bytes("PNG", (300, 300)))
    page.get_by_label("Avatar", exact=True).set_input_files(str(avatar))
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin Hart")
    expect(page.get_by_text("Here to learn and to help.")).to_be_visible()
    expect(page.get_by_text("Birthday: 14 March")).to_be_visible()
    avatar_img = page.get_by_role("img", name="Robin Hart’s avatar")
    expect(avatar_img).to_be_visible()
    # Visible is not loaded: wait until the browser is done with the file (a broken one
    # is "complete" too, with no width), then check it is the picture that was uploaded.
    handle = avatar_img.element_handle()
    page.wait_for_function("img => img.complete", arg=handle)
    assert page.evaluate("img => img.naturalWidth", handle) == 300

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    page.goto("/members/robin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin Hart")
    expect(page.get_by_role("link", name="Edit your profile")).to_have_count(0)


def test_the_layout_works_on_a_small_phone(new_page):
    page = new_page(width=360, height=740)
    page.goto("/")
    nav = page.locator("#site-nav")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Open the Menu").click()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Forum")).to_be_visible()
    # No horizontal scrolling at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_keyboard_users_can_skip_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
