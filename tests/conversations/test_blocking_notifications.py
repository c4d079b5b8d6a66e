"""A member who blocked someone gets no mentions or notifications from them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.actions import notify
from community.chat import actions as chat_actions
from community.conversations import actions
from community.models import Notification
from tests.chat.factories import make_room
from tests.factories import make_member
from tests.forum.factories import make_reply, make_topic

pytestmark = pytest.mark.django_db


def test_a_blocked_members_chat_mention_makes_no_notification(member, other_member):
    actions.block_member(blocker=other_member, blocked=member)
    room = make_room(slug="lobby")
    chat_actions.send_message(room=room, author=member, body=f"Hey @{other_member.username}")
    assert not Notification.objects.filter(recipient=other_member).exists()


def test_a_blocked_members_forum_mention_makes_no_notification(member, other_member):
    actions.block_member(blocker=other_member, blocked=member)
    topic = make_topic(author=member)
    make_reply(topic=topic, author=member, body=f"What do you think, @{other_member.username}?")
    assert not Notification.objects.filter(recipient=other_member).exists()


def test_any_notification_with_a_blocked_actor_is_dropped_in_one_query(member, other_member):
    actions.block_member(blocker=other_member, blocked=member)
    with CaptureQueriesContext(connection) as queries:
        assert notify(recipient=other_member, kind="mention", text="Hi", actor=member) is None
    asked = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(asked) == 1, asked
    assert notify(recipient=other_member, kind="system", text="Hello") is not None
    assert notify(recipient=member, kind="mention", text="Hi", actor=other_member) is not None


def test_others_are_still_notified_of_the_same_mention(member, other_member):
    third = make_member()
    actions.block_member(blocker=other_member, blocked=member)
    room = make_room(slug="lobby")
    body = f"@{other_member.username} and @{third.username}, look"
    chat_actions.send_message(room=room, author=member, body=body)
    assert Notification.objects.filter(recipient=third).count() == 1
    assert not Notification.objects.filter(recipient=other_member).exists()
    assert mail.outbox == [] or all(other_member.email not in m.to for m in mail.outbox)


def test_a_blocked_members_forum_mention_sends_no_email_either(
    member, other_member, django_capture_on_commit_callbacks
):
    other_member.email_on_mention = True
    other_member.save(update_fields=["email_on_mention"])
    third = make_member(email_on_mention=True)
    actions.block_member(blocker=other_member, blocked=member)
    topic = make_topic(author=member)
    mail.outbox.clear()
    body = f"What do you think, @{other_member.username} and @{third.username}?"
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(topic=topic, author=member, body=body)
    emailed = [address for message in mail.outbox for address in message.to]
    assert third.email in emailed  # mention emails do go out...
    assert other_member.email not in emailed  # ...but not from someone blocked
