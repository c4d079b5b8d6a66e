"""A hidden post is appealable, on a phone from end to end: a moderator hides a flagged
post from the inbox with a reason, its author reads why in the notification and appeals,
and another moderator lifts it from the inbox; the post is back and the reply is there.
No page scrolls sideways at 360 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from community.forum import actions as forum
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_member, make_moderator
from tests.forum.factories import make_category, make_reply, make_topic

WAIT = 15_000
PHONE = {"width": 360, "height": 800}
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"
ITEM = "Post by Sam in “Rye starter tips”"
APPEAL = "Appeal by Sam against the hiding of their post in “Rye starter tips”"


def _no_sideways_scroll(page) -> None:
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.url


def test_hide_appeal_and_lift_a_post_at_360_px(new_page, asgi_server):
    topic = make_topic(author=make_member(), category=make_category(), title="Rye starter tips")
    sam_user = make_member(username="sam", display_name="Sam", password=PASSWORD)
    post = make_reply(topic=topic, author=sam_user, body="Try the flour at spam.example today")
    forum.flag_post(post=post, flagger=make_member(), reason="spam")
    make_moderator(username="moira", display_name="Moira", password=PASSWORD)
    make_moderator(username="ben", display_name="Ben", password=PASSWORD)

    # Moderator A hides it from the inbox with a reason.
    moira = new_page(**PHONE)
    sign_in(moira, "moira@example.com", PASSWORD)
    moira.goto("/admin/inbox/")
    item = moira.get_by_role("article", name=ITEM)
    expect(item).to_contain_text("1 flag: Spam")
    _no_sideways_scroll(moira)
    item.get_by_label("Reason to hide the post (the member reads it)").fill(
        "Links to a shop are advertising."
    )
    item.get_by_role("button", name="Hide the post").click()
    expect(moira.get_by_text(f"{ITEM}: The post is hidden; 1 flag closed.")).to_be_visible(
        timeout=WAIT
    )
    _no_sideways_scroll(moira)

    # Sam opens the notification: which post, why, and the appeal form; no banner.
    sam = new_page(**PHONE)
    sign_in(sam, "sam@example.com", PASSWORD)
    sam.goto("/notifications/")
    note = sam.get_by_role(
        "link", name=re.compile("A moderator hid your post in “Rye starter tips”")
    )
    expect(note).to_contain_text("Links to a shop are advertising.")
    _no_sideways_scroll(sam)
    note.click()
    sam.wait_for_url(re.compile(r"/penalties/\d+/$"))
    expect(sam.locator("main")).to_contain_text("A moderator hid your post")
    expect(sam.locator("main")).to_contain_text("Links to a shop are advertising.")
    expect(sam.locator(".penalty-banner")).to_have_count(0)
    _no_sideways_scroll(sam)
    sam.get_by_label("Why should a moderator look at this again?").fill(
        "It is my own bakery's flour; I can drop the link."
    )
    sam.get_by_role("button", name="Send my appeal").click()
    expect(sam.locator(".messages")).to_contain_text("Your appeal is sent", timeout=WAIT)
    _no_sideways_scroll(sam)
    penalty_url = sam.url

    # Moderator B (not Moira, who hid it) lifts it from the inbox's appeals.
    ben = new_page(**PHONE)
    sign_in(ben, "ben@example.com", PASSWORD)
    ben.goto("/admin/inbox/")
    ben.get_by_role("link", name=re.compile(r"^Appeals \(1\)")).click()
    ben.wait_for_url(re.compile(r"kind=appeal"))
    appeal = ben.get_by_role("article", name=APPEAL)
    expect(appeal).to_contain_text("It is my own bakery's flour")
    expect(appeal.get_by_role("button", name=re.compile("Shorten"))).to_have_count(0)
    _no_sideways_scroll(ben)
    appeal.get_by_label("Reason to lift the penalty (the member reads it)").fill(
        "Fair: a member's own shop, once, is fine."
    )
    appeal.get_by_role("button", name="Lift the penalty").click()
    expect(ben.get_by_text(re.compile("The penalty of Sam is lifted"))).to_be_visible(timeout=WAIT)
    _no_sideways_scroll(ben)

    # Sam: the notification says so, its page has the reply, and the post is back.
    sam.goto("/notifications/")
    accepted = sam.get_by_role(
        "link", name=re.compile("Your appeal was accepted: your post in “Rye starter tips”")
    )
    expect(accepted).to_be_visible()
    _no_sideways_scroll(sam)
    accepted.click()
    sam.wait_for_url(penalty_url)
    expect(sam.locator("main")).to_contain_text("Fair: a member's own shop, once, is fine.")
    expect(sam.locator("main")).to_contain_text("is visible again")
    _no_sideways_scroll(sam)
    sam.goto(topic.post_url(post.number))
    expect(sam.locator(f"#post-{post.number}")).to_contain_text(
        "Try the flour at spam.example today"
    )
    expect(sam.locator(f"#post-{post.number} .post__placeholder")).to_have_count(0)
    _no_sideways_scroll(sam)
    assert len(asgi_server.emails_to(sam_user.email)) >= 2
