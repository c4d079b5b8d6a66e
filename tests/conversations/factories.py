"""Conversations for tests: started through the action, as a member would."""

from __future__ import annotations

from community.conversations import actions
from community.conversations.models import Conversation, Message


def make_conversation(starter, *others, body: str = "Hello there") -> Conversation:
    return actions.start_conversation(starter=starter, recipients=list(others), body=body)


def say(conversation: Conversation, author, body: str = "And another thing") -> Message:
    return actions.send_message(conversation=conversation, author=author, body=body)


def sams_conversation(owner) -> Conversation:
    """The permission matrix's: Sam (the owner) and Bea, a member no persona is."""
    from tests.factories import make_member

    existing = Conversation.objects.filter(started_by=owner).first()
    if existing is not None:
        return existing
    bea = make_member(username="bea_pm")
    return make_conversation(owner, bea)
