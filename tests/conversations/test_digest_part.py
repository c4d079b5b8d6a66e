from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community import digest
from community.conversations import actions
from tests.conversations.factories import make_conversation

pytestmark = pytest.mark.django_db


def test_the_digest_lists_unread_conversations(member, other_member):
    conversation = make_conversation(other_member, member, body="Dinner?")
    parts = digest.parts_for(member, timezone.now() - timedelta(days=7))
    [part] = [p for p in parts if p.heading == "Your unread messages"]
    [item] = part.items
    assert item.title == f"1 unread message from {other_member.name}"
    assert item.url.endswith(conversation.get_absolute_url())


def test_the_digest_says_nothing_once_read(member, other_member):
    conversation = make_conversation(other_member, member)
    actions.mark_read(conversation=conversation, member=member)
    parts = digest.parts_for(member, timezone.now() - timedelta(days=7))
    assert not [p for p in parts if p.heading == "Your unread messages"]
    # The sender has nothing unread either.
    parts = digest.parts_for(other_member, timezone.now() - timedelta(days=7))
    assert not [p for p in parts if p.heading == "Your unread messages"]
