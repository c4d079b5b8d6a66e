"""Flagged private messages in the review inbox, and their audit-log sentences."""

from __future__ import annotations

import pytest
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from community.conversations import actions
from community.conversations.models import MessageFlag
from tests.conversations.factories import make_conversation

pytestmark = pytest.mark.django_db

INBOX = "/admin/inbox/"


@pytest.fixture
def flagged(member, other_member):
    conversation = make_conversation(other_member, member, body="Send me your password")
    message = conversation.messages.get()
    actions.flag_message(message=message, flagger=member, reason="harassment", text="Creepy")
    return message


def test_the_inbox_shows_the_flagged_message_and_its_link(moderator_client, flagged):
    html = moderator_client.get(INBOX).content.decode()
    assert "Flagged private messages" in html
    assert "Send me your password" in html
    assert flagged.get_absolute_url() in html


def test_a_moderator_dismisses_the_flags_from_the_inbox(moderator_client, moderator, flagged):
    response = moderator_client.post(
        INBOX + "decide/", {"ref": f"message_flag:{flagged.pk}", "decision": "dismiss"}
    )
    assert response.status_code == 302
    flag = MessageFlag.objects.get()
    assert (flag.outcome, flag.resolved_by) == ("dismissed", moderator)
    flagged.refresh_from_db()
    assert flagged.removed_at is None
    # A second decision from a stale page changes nothing.
    moderator_client.post(
        INBOX + "decide/",
        {"ref": f"message_flag:{flagged.pk}", "decision": "remove", "reason": "x"},
    )
    flagged.refresh_from_db()
    assert flagged.removed_at is None


def test_members_never_reach_the_inbox(member_client, flagged):
    assert member_client.get(INBOX).status_code in (302, 403)


def test_the_audit_log_says_who_read_which_conversation(moderator_client, flagged):
    moderator_client.get(flagged.conversation.get_absolute_url())
    entry = ModelLogEntry.objects.get(action="hearth.messages.moderator_read")
    sentence = str(log_registry.get_formatter(entry).format_message(entry))
    assert f"Read private conversation {flagged.conversation_id}" in sentence
