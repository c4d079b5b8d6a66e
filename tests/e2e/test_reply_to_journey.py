"""Sam answers one of Maya's posts from its "Reply" button: his reply says whom it
answers, with a jump back up, and Maya's post counts the answer."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_member
from tests.forum.factories import make_category, make_reply, make_topic


def test_a_reply_answers_one_post_and_jumps_back_to_it(page, asgi_server):
    make_category(name="Baking", slug="baking")
    maya = make_member(username="maya", display_name="Maya")
    make_member(username="sam", display_name="Sam")
    topic = make_topic(author=maya, title="Dense crumb every time")
    make_reply(topic=topic, author=maya, body="I bake it at 180 degrees for an hour.")

    sign_in(page, "sam@example.com", PASSWORD)
    page.goto(topic.get_absolute_url())
    page.locator("#post-2").get_by_role("link", name="Reply to post #2").click()
    expect(page.get_by_text("Answering post #2.")).to_be_visible()
    expect(page.get_by_label("Your post")).to_be_focused()
    page.get_by_label("Your post").fill("Too cool: try 230 degrees for the first 20 minutes.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()

    answer = page.locator("#post-3")
    link = answer.get_by_role("link", name="in reply to @maya")
    expect(link).to_be_visible()
    expect(page.locator("#post-2")).to_contain_text("1 reply to this post")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "forum-reply-to-360")
    link.click()
    expect(page).to_have_url(topic.post_url(2).split("#")[0] + "#post-2", ignore_case=True)
