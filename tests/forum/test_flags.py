"""Flags: once per member per post; three flaggers hide a post until a moderator reviews it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from wagtail.models import ModelLogEntry

from community.forum import actions
from community.forum.actions import PostingError
from community.forum.models import Flag, FlagOutcome
from community.models import Notification
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_topic


@pytest.fixture
def topic(member):
    return make_topic(author=member, category=make_category(), title="Buying flour in bulk")


@pytest.fixture
def post(topic, other_member):
    return make_reply(topic=topic, author=other_member, body="Buy cheap pills at spam.example")


def test_a_member_flags_a_post_through_the_form(member_client, post, topic):
    assert member_client.get(f"/forum/p/{post.pk}/flag/").status_code == 200
    response = member_client.post(f"/forum/p/{post.pk}/flag/", {"reason": "spam"})
    assert response.status_code == 302
    flag = Flag.objects.get()
    assert flag.reason == "spam" and flag.outcome == FlagOutcome.OPEN
    post.refresh_from_db()
    assert post.open_flag_count == 1 and not post.hidden


def test_other_needs_a_few_words(member_client, post):
    response = member_client.post(f"/forum/p/{post.pk}/flag/", {"reason": "other", "text": "  "})
    assert "Say in a few words what is wrong with this post." in response.content.decode()
    assert not Flag.objects.exists()
    member_client.post(f"/forum/p/{post.pk}/flag/", {"reason": "other", "text": "Copied text"})
    assert Flag.objects.get().text == "Copied text"


def test_a_member_flags_a_post_only_once(member, member_client, post):
    actions.flag_post(post=post, flagger=member, reason="rude")
    with pytest.raises(PostingError, match="already flagged"):
        actions.flag_post(post=post, flagger=member, reason="spam")
    response = member_client.post(f"/forum/p/{post.pk}/flag/", {"reason": "spam"})
    assert "You have already flagged this post" in response.content.decode()
    with pytest.raises(IntegrityError):
        Flag.objects.create(post=post, flagger=member, reason="spam")


def test_members_cannot_flag_their_own_posts(other_member_client, post):
    assert other_member_client.get(f"/forum/p/{post.pk}/flag/").status_code == 403
    assert (
        other_member_client.post(f"/forum/p/{post.pk}/flag/", {"reason": "spam"}).status_code == 403
    )


def test_visitors_are_sent_to_sign_in_and_hidden_posts_are_404(
    visitor_client, member_client, moderator, post
):
    response = visitor_client.post(f"/forum/p/{post.pk}/flag/", {"reason": "spam"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    actions.hide_post(post=post, moderator=moderator, reason="Spam")
    assert member_client.post(f"/forum/p/{post.pk}/flag/", {"reason": "spam"}).status_code == 404


def test_three_distinct_flaggers_hide_the_post_until_reviewed(member, other_member, topic, post):
    flaggers = [member, make_member(), make_member()]
    actions.flag_post(post=post, flagger=flaggers[0], reason="spam")
    actions.flag_post(post=post, flagger=flaggers[1], reason="spam")
    post.refresh_from_db()
    assert not post.hidden
    actions.flag_post(post=post, flagger=flaggers[2], reason="off_topic")
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.hidden and post.hidden_by_flags
    assert topic.reply_count == 0
    assert Notification.objects.filter(recipient=other_member, kind="forum_hidden").exists()


def test_the_flag_queue_is_for_moderators_only(
    member_client, editor_client, visitor_client, moderator_client
):
    assert member_client.get("/forum/flags/").status_code == 403
    assert editor_client.get("/forum/flags/").status_code == 403
    assert visitor_client.get("/forum/flags/").status_code == 302
    assert moderator_client.get("/forum/flags/").status_code == 200


def test_the_queue_lists_open_flags_with_reasons(member, moderator_client, post):
    actions.flag_post(post=post, flagger=member, reason="other", text="Looks like an advert")
    page = moderator_client.get("/forum/flags/").content.decode()
    assert "Buying flour in bulk" in page
    assert "Something else" in page and "Looks like an advert" in page
    assert "spam.example" in page


def test_hide_from_the_queue_closes_the_flags_and_keeps_the_post_hidden(
    member, moderator_client, post
):
    actions.flag_post(post=post, flagger=member, reason="spam")
    response = moderator_client.post(f"/forum/flags/{post.pk}/", {"outcome": "hidden"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.hidden and not post.hidden_by_flags and post.open_flag_count == 0
    assert post.hidden_reason == "Hidden by a moderator after review (spam)."
    assert Flag.objects.get().outcome == FlagOutcome.HIDDEN
    assert ModelLogEntry.objects.filter(action="hearth.forum.flags_hidden").count() == 1
    assert "No open flags" in moderator_client.get("/forum/flags/").content.decode()


def test_dismiss_restores_a_post_hidden_by_flags(member, moderator, topic, post):
    for flagger in (member, make_member(), make_member()):
        actions.flag_post(post=post, flagger=flagger, reason="rude")
    closed = actions.resolve_flags(post=post, moderator=moderator, outcome=FlagOutcome.DISMISSED)
    assert closed == 3
    post.refresh_from_db()
    topic.refresh_from_db()
    assert not post.hidden and post.open_flag_count == 0
    assert topic.reply_count == 1
    assert ModelLogEntry.objects.filter(action="hearth.forum.flags_dismissed").count() == 1


def test_dismissing_does_not_unhide_a_post_a_moderator_hid(member, moderator, post):
    actions.flag_post(post=post, flagger=member, reason="rude")
    actions.hide_post(post=post, moderator=moderator, reason="Rude")
    actions.resolve_flags(post=post, moderator=moderator, outcome=FlagOutcome.DISMISSED)
    post.refresh_from_db()
    assert post.hidden


def test_members_cannot_resolve_flags(member, member_client, post):
    actions.flag_post(post=post, flagger=member, reason="spam")
    assert (
        member_client.post(f"/forum/flags/{post.pk}/", {"outcome": "dismissed"}).status_code == 403
    )
    assert Flag.objects.get().outcome == FlagOutcome.OPEN


def test_a_bad_outcome_is_a_message_not_an_error(member, moderator_client, post):
    actions.flag_post(post=post, flagger=member, reason="spam")
    response = moderator_client.post(f"/forum/flags/{post.pk}/", {"outcome": "nuke"}, follow=True)
    assert response.status_code == 200
    assert "Choose “hide” or “dismiss”." in response.content.decode()
