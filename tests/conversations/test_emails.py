"""Email about messages unread for 15 minutes: once per conversation until read."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from community.conversations import actions
from community.conversations.models import Membership
from tests.conversations.factories import make_conversation, say

pytestmark = pytest.mark.django_db


def _run(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_message_emails", stdout=None)


@pytest.fixture
def waiting(member, other_member):
    """A message to ``member`` sent 20 minutes ago."""
    with time_machine.travel(timezone.now() - timedelta(minutes=20)):
        return make_conversation(other_member, member, body="Are you coming on Sunday?")


def test_it_emails_a_message_unread_for_15_minutes_once(
    member, other_member, waiting, django_capture_on_commit_callbacks
):
    _run(django_capture_on_commit_callbacks)
    [email] = mail.outbox
    assert email.to == [member.email]
    assert other_member.name in email.subject
    assert waiting.get_absolute_url() in email.body
    _run(django_capture_on_commit_callbacks)
    say(waiting, other_member, "Hello?")  # the same unread stretch: no second email
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_it_waits_15_minutes(member, other_member, django_capture_on_commit_callbacks):
    make_conversation(other_member, member)
    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        _run(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_reading_starts_a_new_stretch(
    member, other_member, waiting, django_capture_on_commit_callbacks
):
    _run(django_capture_on_commit_callbacks)
    actions.mark_read(conversation=waiting, member=member)
    assert not Membership.objects.get(member=member).unread_emailed
    _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1  # everything is read
    say(waiting, other_member, "One more thing")
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_it_respects_the_preference(member, waiting, django_capture_on_commit_callbacks):
    member.message_emails = False
    member.save()
    _run(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_it_emails_nobody_about_their_own_or_removed_messages(
    member, other_member, waiting, django_capture_on_commit_callbacks, moderator
):
    message = waiting.messages.get()
    actions.flag_message(message=message, flagger=member, reason="spam")
    actions.resolve_flags(message_id=message.pk, moderator=moderator, decision="remove", reason="x")
    mail.outbox.clear()
    _run(django_capture_on_commit_callbacks)
    assert mail.outbox == []  # the starter wrote it; the member's one message is removed


def test_a_second_run_racing_the_first_sends_nothing(
    member, waiting, django_capture_on_commit_callbacks
):
    due = list(actions.due_for_email(now=timezone.now()))
    Membership.objects.filter(pk=due[0].pk).update(unread_emailed=True)  # the other run won
    with django_capture_on_commit_callbacks(execute=True):
        outcome = actions.send_unread_emails()
    assert outcome.sent == 0
    assert mail.outbox == []


def test_the_scheduler_runs_it_every_5_minutes():
    from hearth.scheduler import MINUTE, SCHEDULE

    [job] = [job for job in SCHEDULE if job.name == "send_message_emails"]
    assert job.every == 5 * MINUTE
