"""A reply can answer one post: "in reply to @maya ↑" on the reply, "1 reply to this
post" on the answered one, and the answered post's author hears of it."""

from __future__ import annotations

import pytest

from community.forum import actions
from community.models import Notification
from tests.forum.factories import forget_rate_limit, make_reply, make_topic


@pytest.fixture
def topic(member):
    return make_topic(author=member, title="Crumb too tight")


@pytest.fixture
def answered(topic, member):
    return make_reply(topic=topic, author=member, body="I knead it for 20 minutes.")


def _reply(client, topic, **data):
    data.setdefault("body", "That is too long: try 8.")
    return client.post(f"/forum/t/{topic.pk}/reply/", data)


def test_a_reply_answers_a_post_and_both_say_so(other_member_client, member, topic, answered):
    sam = other_member_client
    response = _reply(sam, topic, reply_to=str(answered.pk))
    assert response.status_code == 302
    reply = topic.posts.get(number=3)
    assert reply.reply_to == answered
    # Only now does the topic page look up who answers whom.
    topic.refresh_from_db()
    assert topic.has_answers
    page = sam.get(topic.get_absolute_url()).content.decode()
    assert f'<a class="post__reply-to" href="/forum/p/{answered.pk}/">in reply to @maya' in page
    assert "1 reply to this post" in page
    told = Notification.objects.get(recipient=member, kind="forum_reply")
    assert told.text == "Sam answered your post in “Crumb too tight”"
    assert told.url == topic.post_url(3)


def test_the_answered_author_is_told_once_even_when_mentioned_and_watching(
    other_member_client, member, topic, answered
):
    _reply(other_member_client, topic, reply_to=str(answered.pk), body="@maya try 8.")
    assert Notification.objects.filter(recipient=member).count() == 1


@pytest.mark.parametrize("junk", ["abc", "-1", "0", "99999999999999999999", "²"])
def test_a_junk_reply_to_posts_the_reply_without_the_link(
    other_member_client, topic, answered, junk
):
    response = _reply(other_member_client, topic, reply_to=junk)
    assert response.status_code == 302
    assert topic.posts.get(number=3).reply_to is None


def test_a_post_of_another_topic_or_a_hidden_one_is_not_linked(
    other_member_client, other_member, member, moderator, topic, answered
):
    elsewhere = make_reply(topic=make_topic(author=member), author=member)
    sam = other_member_client
    _reply(sam, topic, reply_to=str(elsewhere.pk))
    assert topic.posts.get(number=3).reply_to is None
    actions.hide_post(post=answered, moderator=moderator, reason="Rude")
    forget_rate_limit(other_member)
    _reply(sam, topic, reply_to=str(answered.pk), body="Still answering, hidden or not.")
    assert topic.posts.get(number=4).reply_to is None


def test_the_reply_page_answers_the_post_named_by_to(other_member_client, topic, answered):
    page = other_member_client.get(f"/forum/t/{topic.pk}/reply/?to={answered.pk}")
    body = page.content.decode()
    assert "Answering <a" in body and "post #2 by Maya" in body
    assert f'name="reply_to" value="{answered.pk}"' in body


def test_an_answered_post_that_is_deleted_leaves_the_reply_standing(
    other_member_client, member, topic, answered
):
    sam = other_member_client
    _reply(sam, topic, reply_to=str(answered.pk))
    actions.delete_post(post=answered, member=member)
    page = sam.get(topic.get_absolute_url()).content.decode()
    assert "That is too long: try 8." in page
    assert "reply to this post" not in page
