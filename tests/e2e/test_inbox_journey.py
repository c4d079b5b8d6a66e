"""A moderator works the review inbox on a phone: a post hidden by members' flags waits
there; she hides it for good with a reason, and the page never scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import expect

from community.forum import actions as forum
from community.forum.models import Post
from community.models import Notification
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_member, make_moderator
from tests.forum.factories import make_category, make_reply, make_topic

NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


def test_a_moderator_hides_a_flagged_post_from_the_inbox_at_360_px(new_page, asgi_server):
    topic = make_topic(author=make_member(), category=make_category(), title="Rye starter tips")
    spammer = make_member(username="sam", display_name="Sam")
    post = make_reply(topic=topic, author=spammer, body="Cheap pills at spam.example " * 20)
    for _ in range(3):
        forum.flag_post(post=post, flagger=make_member(), reason="spam")
    make_moderator(username="moira", display_name="Moira")

    phone = new_page(width=360, height=740)
    sign_in(phone, "moira@example.com", PASSWORD)
    phone.goto("/admin/inbox/")

    item = phone.get_by_role("article", name="Post by Sam in “Rye starter tips”")
    expect(item).to_contain_text("3 flags: Spam")
    expect(item).to_contain_text("Hidden by members' flags until you decide.")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)

    # The bulk form is folded away: on a phone the items come first.
    expect(phone.get_by_label("One reason for all of them")).to_be_hidden()
    expect(item.get_by_role("button", name="Dismiss the flags")).to_be_visible()

    item.get_by_label("Reason to hide the post (the member reads it)").fill("Advertising")
    hide = item.get_by_role("button", name="Hide the post")
    hide.scroll_into_view_if_needed()
    expect(hide).to_be_in_viewport()
    hide.click()

    # The card is gone; the message names it and says what happened.
    expect(
        phone.get_by_text("Post by Sam in “Rye starter tips”: The post is hidden; 3 flags closed.")
    ).to_be_visible()
    expect(phone.get_by_role("article", name="Post by Sam in “Rye starter tips”")).to_have_count(0)
    expect(phone.get_by_text("Nothing waits for review.")).to_be_visible()
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)

    post = Post.objects.get(pk=post.pk)
    assert post.hidden and not post.hidden_by_flags and post.hidden_reason == "Advertising"
    assert Notification.objects.filter(recipient=spammer, text__endswith=": Advertising").exists()
