"""The rules of private messages and blocking, asked of the actions themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from community.conversations import actions
from community.conversations.actions import MessagingError
from community.conversations.models import MAX_MEMBERS, Membership, Message
from community.models import Block
from tests.conversations.factories import make_conversation, say
from tests.factories import make_editor, make_member, make_moderator

pytestmark = pytest.mark.django_db


def test_it_starts_a_conversation_with_its_first_message_read_by_the_starter(member, other_member):
    conversation = make_conversation(member, other_member, body="Hi @" + other_member.username)
    [message] = Message.objects.filter(conversation=conversation)
    assert message.author == member
    assert set(conversation.memberships.values_list("member_id", flat=True)) == {
        member.pk,
        other_member.pk,
    }
    assert actions.unread_total(member.pk) == 0
    assert actions.unread_total(other_member.pk) == 1


def test_it_refuses_messaging_yourself(member):
    with pytest.raises(MessagingError) as error:
        make_conversation(member, member)
    assert error.value.code == "self"


def test_it_refuses_more_than_ten_members(member):
    others = [make_member() for _ in range(MAX_MEMBERS)]
    with pytest.raises(MessagingError) as error:
        make_conversation(member, *others)
    assert error.value.code == "too_many"
    assert "at most 10 members" in error.value.message
    make_conversation(member, *others[: MAX_MEMBERS - 1])  # ten with the starter is fine


def test_a_visitor_cannot_message_anyone(member):
    with pytest.raises(PermissionDenied):
        actions.check_may_message(sender=None, recipients=[member])


def test_a_suspended_member_cannot_send(member, other_member):
    conversation = make_conversation(member, other_member)
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save()
    with pytest.raises(MessagingError) as error:
        say(conversation, member)
    assert error.value.code == "suspended"
    with pytest.raises(MessagingError):
        make_conversation(member, other_member)


def test_a_suspended_member_cannot_be_messaged(member, other_member):
    other_member.suspended_until = timezone.now() + timedelta(days=3)
    other_member.save()
    with pytest.raises(MessagingError) as error:
        make_conversation(member, other_member)
    assert error.value.code == "unavailable"


def test_a_new_member_may_message_only_staff(member):
    newcomer = make_member(joined_days_ago=0)
    with pytest.raises(MessagingError) as error:
        make_conversation(newcomer, member)
    assert error.value.code == "only_staff"
    assert "moderators and editors only" in error.value.message
    make_conversation(newcomer, make_moderator())
    make_conversation(newcomer, make_editor())
    with pytest.raises(MessagingError):  # a group with one member in it is not "staff"
        make_conversation(newcomer, make_moderator(), member)


def test_a_new_member_cannot_reply_to_a_member_either(member):
    newcomer = make_member(joined_days_ago=0)
    moderator = make_moderator()
    conversation = make_conversation(moderator, newcomer, member)
    with pytest.raises(MessagingError) as error:
        say(conversation, newcomer)
    assert error.value.code == "only_staff"


def test_a_new_member_starts_a_few_conversations_a_day():
    newcomer = make_member(joined_days_ago=0)
    for _ in range(actions.NEW_MEMBER_CONVERSATIONS_PER_DAY):
        make_conversation(newcomer, make_moderator())
    with pytest.raises(MessagingError) as error:
        make_conversation(newcomer, make_moderator())
    assert error.value.code == "rate_limited"
    assert error.value.retry_after


def test_every_member_is_rate_limited_for_new_conversations(member, settings, monkeypatch):
    monkeypatch.setattr(actions, "NEW_CONVERSATIONS_PER_DAY", 2)
    make_conversation(member, make_member())
    make_conversation(member, make_member())
    with pytest.raises(MessagingError) as error:
        make_conversation(member, make_member())
    assert error.value.code == "rate_limited"
    # Staff are not limited.
    moderator = make_moderator()
    for _ in range(3):
        make_conversation(moderator, make_member())


def test_replies_are_rate_limited_per_minute(member, other_member, monkeypatch):
    monkeypatch.setattr(actions, "MESSAGES_PER_MINUTE", 3)
    conversation = make_conversation(member, other_member)
    say(conversation, member)
    say(conversation, member)
    with pytest.raises(MessagingError) as error:
        say(conversation, member)
    assert error.value.code == "rate_limited"


def test_a_blocked_member_cannot_start_a_conversation_with_the_blocker(member, other_member):
    actions.block_member(blocker=other_member, blocked=member)
    with pytest.raises(MessagingError) as error:
        make_conversation(member, other_member)
    assert error.value.code == "blocked"
    assert error.value.message == f"@{other_member.username} is not accepting messages from you."
    assert not actions.may_message(member, other_member)


def test_the_blocker_is_told_to_unblock_first(member, other_member):
    actions.block_member(blocker=member, blocked=other_member)
    with pytest.raises(MessagingError) as error:
        make_conversation(member, other_member)
    assert "unblock them first" in error.value.message


def test_a_blocked_member_cannot_write_in_a_conversation_with_the_blocker(member, other_member):
    third = make_member()
    conversation = make_conversation(member, other_member, third)
    actions.block_member(blocker=other_member, blocked=member)
    with pytest.raises(MessagingError) as error:
        say(conversation, member)
    assert error.value.code == "blocked"
    # The refusal does not say who blocked them.
    assert other_member.username not in error.value.message
    assert other_member.name not in error.value.message
    say(conversation, third)  # others still talk


def test_blocking_is_undone_by_unblocking_and_twice_changes_nothing(member, other_member):
    actions.block_member(blocker=other_member, blocked=member)
    actions.block_member(blocker=other_member, blocked=member)
    assert Block.objects.filter(blocker=other_member).count() == 1
    assert actions.unblock_member(blocker=other_member, blocked=member)
    assert not actions.unblock_member(blocker=other_member, blocked=member)
    make_conversation(member, other_member)


def test_nobody_blocks_themselves_or_staff(member):
    with pytest.raises(MessagingError):
        actions.block_member(blocker=member, blocked=member)
    with pytest.raises(MessagingError) as error:
        actions.block_member(blocker=member, blocked=make_moderator())
    assert error.value.code == "staff"


def test_a_message_too_long_is_refused_in_the_sites_words(member, other_member):
    with pytest.raises(MessagingError) as error:
        make_conversation(member, other_member, body="x" * 2001)
    assert error.value.message == "A message can be at most 2,000 characters (this one has 2,001)."


def test_an_empty_message_is_refused(member, other_member):
    with pytest.raises(MessagingError):
        make_conversation(member, other_member, body=" \u200b ")


def test_only_members_of_a_conversation_write_in_it(member, other_member):
    conversation = make_conversation(member, other_member)
    with pytest.raises(PermissionDenied):
        say(conversation, make_member())


def test_a_member_who_left_no_longer_writes_nor_counts_it(member, other_member):
    conversation = make_conversation(member, other_member)
    actions.leave_conversation(conversation=conversation, member=other_member)
    assert actions.unread_total(other_member.pk) == 0
    with pytest.raises(PermissionDenied):
        say(conversation, other_member)
    with pytest.raises(MessagingError) as error:
        say(conversation, member)
    assert error.value.code == "empty"


def test_reading_clears_the_unread_count_and_never_moves_back(member, other_member):
    conversation = make_conversation(member, other_member)
    newest = say(conversation, member)
    assert actions.unread_total(other_member.pk) == 2
    actions.mark_read(conversation=conversation, member=other_member)
    assert actions.unread_total(other_member.pk) == 0
    assert not actions.mark_read(conversation=conversation, member=other_member, up_to=1)
    assert Membership.objects.get(member=other_member).last_read_id == newest.pk


def test_a_flag_reaches_the_review_inbox_and_a_removal_tells_the_author(
    member, other_member, moderator
):
    from community.review import source

    conversation = make_conversation(member, other_member, body="Buy my stuff")
    message = conversation.messages.get()
    with pytest.raises(MessagingError):
        actions.flag_message(message=message, flagger=member, reason="spam")  # own message
    actions.flag_message(message=message, flagger=other_member, reason="spam", text="Ads")
    with pytest.raises(MessagingError) as error:
        actions.flag_message(message=message, flagger=other_member, reason="spam")
    assert error.value.code == "duplicate"
    with pytest.raises(PermissionDenied):
        actions.flag_message(message=message, flagger=make_member(), reason="spam")

    inbox = source(actions.FLAG_KIND)
    [item] = inbox.pending()
    assert item.key == str(message.pk)
    assert "Buy my stuff" in item.summary
    said = inbox.decide(key=item.key, decision="remove", moderator=moderator, reason="Spam")
    assert "removed" in said
    message.refresh_from_db()
    assert message.removed_at is not None
    assert member.notifications.filter(kind="message_removed").exists()
    assert list(inbox.pending()) == []


def test_a_member_cannot_decide_a_flag(member, other_member):
    conversation = make_conversation(member, other_member)
    message = conversation.messages.get()
    actions.flag_message(message=message, flagger=other_member, reason="other")
    with pytest.raises(PermissionDenied):
        actions.resolve_flags(message_id=message.pk, moderator=member, decision="dismiss")
