"""Points for taking part, in real browsers against a live server: Sam answers Maya's
question → Maya marks his reply as the solution → Sam opens "My points" and reads the
line in plain words → Maya unmarks it → Sam's page says the points were taken back."""

from __future__ import annotations

from playwright.sync_api import expect

from referrals import points
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_reply, make_topic

SOLUTION_LINE = "Your reply in “Rye starter smells of nail varnish” was marked as the solution"


def test_a_reply_marked_as_the_solution_shows_on_the_authors_points_page(
    page, new_page, asgi_server
):
    maya_member = make_member(username="maya", display_name="Maya")
    sam_member = make_member(username="sam", display_name="Sam")
    topic = make_topic(
        author=maya_member,
        category=make_category(name="Baking", slug="baking"),
        title="Rye starter smells of nail varnish",
    )
    make_reply(topic=topic, author=sam_member, body="It is hungry: feed it twice a day.")
    worth = points.rules()["solution"][0]

    # Maya, the topic's author, marks Sam's reply as the solution.
    maya = page
    sign_in(maya, "maya@example.com", PASSWORD)
    maya.goto(topic.get_absolute_url())
    reply = maya.locator("#post-2")
    reply.get_by_role("button", name="Mark as solution").click()
    expect(maya.get_by_text("Marked as the solution.")).to_be_visible()

    # Sam follows "My points" in the menu and reads the line.
    sam = new_page()
    sign_in(sam, "sam@example.com", PASSWORD)
    sam.get_by_role("navigation", name="Main").get_by_role("link", name="My points").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Your points")
    line = sam.locator(".ledger li", has_text=SOLUTION_LINE)
    expect(line.locator(".ledger__amount")).to_have_text(f"+{worth}")
    balance_before = points.balance(sam_member)
    expect(sam.locator(".points-balance__value")).to_have_text(str(balance_before))

    # Maya changes her mind; Sam's page says plainly what was taken back.
    maya.goto(topic.get_absolute_url())
    maya.locator("#post-2").get_by_role("button", name="Unmark solution").click()
    sam.reload()
    taken = sam.locator(".ledger li", has_text="This takes back")
    expect(taken.locator(".ledger__amount")).to_have_text(f"\u2212{worth}")
    expect(taken).to_contain_text(SOLUTION_LINE)
    expect(sam.locator(".points-balance__value")).to_have_text(str(balance_before - worth))


def test_the_points_page_fits_a_small_phone(new_page, asgi_server):
    member = make_member(username="maya", display_name="Maya")
    for n in range(3):
        points.reward(
            member=member,
            action="solution",
            key=f"forum.post:{n}",
            reason="Your reply in “"
            + "A very long topic title " * 4
            + "” was marked as the solution",
        )
    phone = new_page(width=360, height=740)
    sign_in(phone, "maya@example.com", PASSWORD)
    phone.goto("/points/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
