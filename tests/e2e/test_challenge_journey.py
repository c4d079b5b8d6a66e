"""A challenge from the first look to its reward, in a real browser against a live server:
Maya sees "Answer 2 questions" at 0 of 2 on the home page and on /challenges/ → one reply
counts (recorded through the test's database) → she replies in the forum in another tab
and the challenges page she left open tells her live that it is completed → reloaded,
it says what she earned."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect

from hearth.templatetags.hearth_time import describe
from referrals import engagement
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_topic
from tests.recognition.factories import make_challenge


def test_a_member_completes_a_challenge_and_sees_the_reward(page):
    make_challenge(title="Answer 2 questions", action="post", goal=2, reward_points=20)
    maya_member = make_member(username="maya", display_name="Maya")
    sam = make_member(username="sam", display_name="Sam")
    topic = make_topic(
        author=sam, category=make_category(name="Baking", slug="baking"), title="Rye starter"
    )

    # Maya sees the challenge on the home page and on her challenges page, at 0 of 2.
    maya = page
    sign_in(maya, "maya@example.com", PASSWORD)
    maya.goto("/")
    card = maya.get_by_role("complementary", name="Your challenges")
    expect(card.get_by_role("heading", name="Answer 2 questions")).to_be_visible()
    expect(card.get_by_text("0 of 2")).to_be_visible()
    card.get_by_role("link", name="See your challenges").click()
    expect(maya.get_by_role("heading", level=1)).to_have_text("Challenges")
    challenge = maya.get_by_role("article", name="Answer 2 questions")
    expect(challenge.get_by_role("progressbar", name="0 of 2")).to_be_visible()
    expect(challenge.get_by_text("Reward: 20 points")).to_be_visible()

    # One of her replies counts (recorded as the forum records it).
    engagement.record(
        member=maya_member, action="post", key="forum.post:900", reason="Replying in the forum"
    )
    maya.reload()
    bell = maya.locator("[data-unread-count]")
    # The count frame came: the socket has joined (waiting on the page, not on a frame
    # event, which may have passed before a listener was set).
    expect(maya.locator("[data-live=joined]")).to_have_count(1)
    expect(challenge.get_by_role("progressbar", name="1 of 2")).to_be_visible()
    unread = bell.inner_text()  # (a first reply may have earned a badge already)

    # She replies in another tab; the page she left open says so at once.
    forum = maya.context.new_page()
    forum.goto(topic.get_absolute_url())
    forum.get_by_label("Your post").fill("Feed it twice a day and keep it warm.")
    forum.get_by_role("button", name="Post reply").click()
    expect(forum.get_by_text("Your reply is posted.")).to_be_visible()

    toast = maya.locator(".toasts .toast", has_text="Answer 2 questions")
    expect(toast.locator(".toast__text")).to_have_text(
        "You completed the challenge “Answer 2 questions”: +20 points. Thank you!"
    )
    expect(bell).not_to_have_text(unread)
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)

    # Reloaded, the challenge says it is done and what it earned.
    maya.reload()
    expect(challenge.get_by_role("progressbar", name="Completed")).to_be_visible()
    today = describe(timezone.localdate(), "date")  # "30 Nov", as every date on the site
    expect(challenge.locator(".challenge__reward")).to_have_text(
        f"Completed on {today}: you earned +20 points. Thank you!"
    )


def test_the_challenges_page_fits_a_small_phone(new_page):
    make_challenge(title="Answer 2 questions with a rather long title for a small screen")
    make_member(username="maya", display_name="Maya")
    phone = new_page(width=360, height=740)
    sign_in(phone, "maya@example.com", PASSWORD)
    phone.goto("/challenges/")
    expect(phone.get_by_role("progressbar")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    phone.goto("/")
    expect(phone.get_by_role("complementary", name="Your challenges")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
