"""Bookmarks on topics and posts, their reminders, and the member's /bookmarks/ list."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.forum import actions
from community.forum.models import Bookmark, ReadAccess
from community.models import Notification
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_topic


@pytest.fixture
def topic(other_member):
    return make_topic(author=other_member, title="Crumb too tight")


@pytest.fixture
def reply(topic, other_member):
    return make_reply(topic=topic, author=other_member, body="Try a wetter dough.")


def test_it_bookmarks_a_post_from_the_topic_page_and_lists_it(member_client, member, reply):
    page = member_client.get(reply.topic.get_absolute_url()).content.decode()
    assert f'action="/forum/p/{reply.pk}/bookmark/"' in page
    response = member_client.post(f"/forum/p/{reply.pk}/bookmark/", {"remind": ""}, follow=True)
    assert "Bookmarked. Find this post again under Bookmarks." in response.content.decode()
    kept = Bookmark.objects.get(member=member)
    assert (kept.post, kept.topic, kept.remind_at) == (reply, reply.topic, None)
    # The post now says so, and offers to remove it.
    page = member_client.get(reply.topic.get_absolute_url()).content.decode()
    assert "Remove bookmark" in page
    listing = member_client.get("/bookmarks/").content.decode()
    assert "Post #2 by" in listing and "Crumb too tight" in listing
    assert "Try a wetter dough." in listing
    assert f'href="{reply.topic.post_url(2)}"' in listing


def test_bookmarking_twice_keeps_one_bookmark_with_the_new_reminder(member_client, member, reply):
    member_client.post(f"/forum/p/{reply.pk}/bookmark/", {"remind": ""})
    member_client.post(f"/forum/p/{reply.pk}/bookmark/", {"remind": "hour"})
    kept = Bookmark.objects.get(member=member)
    assert kept.remind_at is not None
    assert timedelta(minutes=59) < kept.remind_at - timezone.now() <= timedelta(hours=1)


def test_it_bookmarks_a_topic_and_removes_it(member_client, member, topic):
    member_client.post(f"/forum/t/{topic.pk}/bookmark/", {"remind": "tomorrow"})
    kept = Bookmark.objects.get(member=member)
    assert kept.post is None
    local = timezone.localtime(kept.remind_at)
    assert (local.hour, local.minute) == (9, 0)
    assert "Remove bookmark" in member_client.get(topic.get_absolute_url()).content.decode()
    response = member_client.post(f"/forum/t/{topic.pk}/bookmark/", {"remove": "on"}, follow=True)
    assert "The bookmark on this topic is removed." in response.content.decode()
    assert not Bookmark.objects.exists()


def test_a_chosen_reminder_time_must_be_in_the_future_and_within_a_year(
    member_client, member, topic
):
    url = f"/forum/t/{topic.pk}/bookmark/"
    cases = {
        "": "Choose the date and time to be reminded.",
        "2001-01-01T09:00": "Choose a time in the future.",
        "2999-01-01T09:00": "Choose a time within the next year.",
        "tomorrow-ish": "Enter the date and time as shown",
    }
    for value, message in cases.items():
        response = member_client.post(url, {"remind": "at", "remind_at": value}, follow=True)
        assert message in response.content.decode(), value
    response = member_client.post(url, {"remind": "someday"}, follow=True)
    assert "Choose when to be reminded, or no reminder." in response.content.decode()
    assert not Bookmark.objects.exists()


def test_the_list_page_changes_a_reminder_and_comes_back_to_the_list(member_client, member, topic):
    member_client.post(f"/forum/t/{topic.pk}/bookmark/", {"remind": ""})
    when = (timezone.localtime() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = member_client.post(
        f"/forum/t/{topic.pk}/bookmark/",
        {"remind": "at", "remind_at": when.strftime("%Y-%m-%dT%H:%M"), "next": "/bookmarks/"},
    )
    assert response.url == "/bookmarks/"
    assert Bookmark.objects.get().remind_at == when
    # A "next" elsewhere is ignored: back to the topic.
    response = member_client.post(
        f"/forum/t/{topic.pk}/bookmark/", {"remind": "", "next": "https://evil.example/"}
    )
    assert response.url == topic.get_absolute_url()


def test_a_due_reminder_rings_the_bell_once(member, reply):
    now = timezone.now()
    actions.bookmark(
        member=member, topic=reply.topic, post=reply, remind_at=now + timedelta(hours=1)
    )
    assert actions.send_bookmark_reminders(now=now) == 0
    with time_machine.travel(now + timedelta(hours=1, minutes=1), tick=False):
        call_command("send_bookmark_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_bookmark_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rung = Notification.objects.get(recipient=member)
    assert rung.kind == "bookmark_reminder"
    assert rung.text == "Reminder: post #2 in “Crumb too tight”."
    assert rung.url == reply.topic.post_url(2)
    assert Bookmark.objects.get().reminded_at is not None


def test_a_reminder_on_what_the_member_can_no_longer_read_stays_silent(member, other_member):
    private = make_category(slug="staff-room", read_access=ReadAccess.MEMBERS)
    topic = make_topic(author=other_member, category=private)
    post = make_reply(topic=topic, author=other_member)
    actions.bookmark(member=member, topic=topic, post=post, remind_at=timezone.now())
    actions.delete_post(post=post, member=other_member)
    assert actions.send_bookmark_reminders(now=timezone.now() + timedelta(seconds=1)) == 0
    assert not Notification.objects.filter(kind="bookmark_reminder").exists()


def test_the_list_leaves_out_what_the_member_can_no_longer_read(member_client, member, moderator):
    topic = make_topic(author=make_member(), title="Soon hidden")
    actions.bookmark(member=member, topic=topic)
    assert "Soon hidden" in member_client.get("/bookmarks/").content.decode()
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    assert "Soon hidden" not in member_client.get("/bookmarks/").content.decode()


def test_nobody_bookmarks_what_they_cannot_see(member_client, visitor_client, topic, moderator):
    assert visitor_client.post(f"/forum/t/{topic.pk}/bookmark/").status_code == 302
    assert visitor_client.get("/bookmarks/")["Location"].startswith("/accounts/login/")
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    assert member_client.post(f"/forum/t/{topic.pk}/bookmark/", {}).status_code == 404
    assert member_client.get(f"/forum/t/{topic.pk}/bookmark/").status_code == 405
    assert not Bookmark.objects.exists()


def test_one_members_bookmarks_are_not_anothers(member_client, other_member, topic):
    actions.bookmark(member=other_member, topic=topic)
    assert "Crumb too tight" not in member_client.get("/bookmarks/").content.decode()


def test_the_list_costs_the_same_for_2_or_30_bookmarks(member_client, member):
    author = make_member()
    topics = [make_topic(author=author, title=f"Topic {i}") for i in range(30)]
    for topic in topics[:2]:
        actions.bookmark(member=member, topic=topic, post=topic.posts.get())

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get("/bookmarks/").status_code == 200
        return len(ctx.captured_queries)

    member_client.get("/bookmarks/")  # the bell's count is read once, then kept
    two = count()
    for topic in topics[2:]:
        actions.bookmark(member=member, topic=topic, post=topic.posts.get())
    assert count() == two
