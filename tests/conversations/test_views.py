"""The private-message pages: who may see what, bad input, and what they cost."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import ModelLogEntry

from community.conversations import actions
from community.conversations.models import Conversation, Membership, Message, MessageFlag
from community.models import Block
from tests.conversations.factories import make_conversation, say
from tests.factories import make_member, make_moderator

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def conversation(member, other_member) -> Conversation:
    return make_conversation(other_member, member, body="Hello from the other member")


# --- who may see what --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/messages/", "/messages/new/", "/messages/1/"])
def test_it_sends_visitors_to_sign_in(visitor_client, path):
    response = visitor_client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_lists_the_members_conversations_unread_first(member_client, member, other_member):
    read = make_conversation(member, other_member, body="I wrote this one")
    unread = make_conversation(other_member, member, body="Unread words for you")
    say(read, member, "Newest, but read")
    response = member_client.get("/messages/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Unread words for you") < body.index("Newest, but read")
    assert f'data-conversation="{unread.pk}"' in body
    assert '1<span class="visually-hidden"> unread</span>' in body


def test_a_member_reads_their_conversation_and_it_is_marked_read(
    member_client, member, conversation
):
    assert actions.unread_total(member.pk) == 1
    response = member_client.get(conversation.get_absolute_url())
    assert response.status_code == 200
    assert "Hello from the other member" in response.content.decode()
    assert actions.unread_total(member.pk) == 0


def test_someone_else_gets_404(conversation):
    response = _client(make_member()).get(conversation.get_absolute_url())
    assert response.status_code == 404


def test_a_moderator_without_a_flag_gets_404_and_nothing_is_logged(conversation):
    response = _client(make_moderator()).get(conversation.get_absolute_url())
    assert response.status_code == 404
    assert not ModelLogEntry.objects.filter(action="hearth.messages.moderator_read").exists()


def test_a_moderator_reads_a_flagged_conversation_and_it_is_in_the_audit_log(member, conversation):
    message = conversation.messages.get()
    actions.flag_message(message=message, flagger=member, reason="harassment")
    moderator = make_moderator()
    client = _client(moderator)
    response = client.get(conversation.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hello from the other member" in page
    assert "reading this as a moderator" in page
    assert "Send" not in page  # a moderator reads, never writes
    [entry] = ModelLogEntry.objects.filter(action="hearth.messages.moderator_read")
    assert entry.user_id == moderator.pk
    assert entry.data["flagged_messages"] == [message.pk]
    client.get(conversation.get_absolute_url())
    assert ModelLogEntry.objects.filter(action="hearth.messages.moderator_read").count() == 2
    # Reading it does not make them a member who may write.
    response = client.post(f"/messages/{conversation.pk}/reply/", {"body": "Hi"})
    assert response.status_code == 404


def test_an_editor_never_reads_a_flagged_conversation(member, conversation):
    from tests.factories import make_editor

    actions.flag_message(message=conversation.messages.get(), flagger=member, reason="spam")
    assert _client(make_editor()).get(conversation.get_absolute_url()).status_code == 404


def test_a_member_who_left_gets_404(member_client, member, conversation):
    response = member_client.post(f"/messages/{conversation.pk}/leave/")
    assert response.status_code == 302
    assert Membership.objects.get(member=member).left_at is not None
    assert member_client.get(conversation.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "path", ["/messages/{pk}/reply/", "/messages/{pk}/leave/", "/messages/{pk}/read/"]
)
def test_the_post_only_doors_refuse_get(member_client, conversation, path):
    assert member_client.get(path.format(pk=conversation.pk)).status_code == 405


# --- starting and replying -----------------------------------------------------------------


def test_the_new_message_page_fills_in_the_name_from_to(member_client, other_member):
    response = member_client.get(f"/messages/new/?to={other_member.username}")
    assert response.status_code == 200
    assert f'value="{other_member.username}"' in response.content.decode()


def test_it_starts_a_conversation_from_the_form(member_client, member, other_member):
    response = member_client.post(
        "/messages/new/", {"recipients": f"@{other_member.username}", "body": "Hello!"}
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == conversation.get_absolute_url()
    assert conversation.messages.get().body == "Hello!"


def test_an_unknown_username_is_a_form_error(member_client):
    response = member_client.post(
        "/messages/new/", {"recipients": "nobody_here, <b>", "body": "Hi"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "No member is called @nobody_here, @&lt;b&gt;." in page
    assert not Conversation.objects.exists()


def test_a_refusal_stays_on_the_form_with_what_was_written(member_client, member, other_member):
    Block.objects.create(blocker=other_member, blocked=member)
    response = member_client.post(
        "/messages/new/", {"recipients": other_member.username, "body": "Please read this"}
    )
    page = response.content.decode()
    assert "is not accepting messages from you" in page
    assert "Please read this" in page
    assert not Conversation.objects.exists()


def test_a_too_long_message_is_refused_with_the_sites_words(member_client, conversation):
    response = member_client.post(f"/messages/{conversation.pk}/reply/", {"body": "x" * 2001})
    assert response.status_code == 400
    assert "A message can be at most 2,000 characters (this one has 2,001)." in (
        response.content.decode()
    )
    assert conversation.messages.count() == 1


def test_a_reply_goes_to_the_conversation(member_client, member, conversation):
    response = member_client.post(f"/messages/{conversation.pk}/reply/", {"body": "Thanks!"})
    message = Message.objects.get(body="Thanks!")
    assert response.status_code == 302
    assert response["Location"] == message.get_absolute_url()


def test_a_blocked_members_reply_is_refused_clearly(
    member_client, member, other_member, conversation
):
    Block.objects.create(blocker=other_member, blocked=member)
    response = member_client.post(f"/messages/{conversation.pk}/reply/", {"body": "Hello?"})
    assert response.status_code == 400
    assert "You cannot send messages in this conversation any more." in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/messages/99999999999999999999999/",
        "/messages/0/",
        "/messages/{pk}/?before=abc",
        "/messages/{pk}/?before=99999999999999999999999999",
        "/messages/{pk}/messages/99999999/flag/",
    ],
)
def test_junk_in_the_address_is_a_4xx(member_client, conversation, path):
    response = member_client.get(path.format(pk=conversation.pk))
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("up_to", ["", "abc", "-1", "9" * 40])
def test_junk_read_marks_are_400(member_client, conversation, up_to):
    response = member_client.post(f"/messages/{conversation.pk}/read/", {"up_to": up_to})
    assert response.status_code == 400


def test_the_read_mark_moves_the_count(member_client, member, conversation):
    message = say(conversation, conversation.started_by, "Live one")
    response = member_client.post(f"/messages/{conversation.pk}/read/", {"up_to": message.pk})
    assert response.status_code == 204
    assert actions.unread_total(member.pk) == 0


# --- flags and blocks ------------------------------------------------------------------------


def test_a_member_flags_a_message_with_a_reason(member_client, member, conversation):
    message = conversation.messages.get()
    url = f"/messages/{conversation.pk}/messages/{message.pk}/flag/"
    assert member_client.get(url).status_code == 200
    response = member_client.post(url, {"reason": "junk"})
    assert response.status_code == 200  # the form again, with the error
    assert not MessageFlag.objects.exists()
    response = member_client.post(url, {"reason": "harassment", "text": "Rude"})
    assert response.status_code == 302
    flag = MessageFlag.objects.get()
    assert (flag.flagger, flag.reason, flag.text) == (member, "harassment", "Rude")


def test_nobody_flags_their_own_message(conversation, other_member):
    message = conversation.messages.get()
    url = f"/messages/{conversation.pk}/messages/{message.pk}/flag/"
    assert _client(other_member).get(url).status_code == 403


def test_block_and_unblock_from_a_profile(member_client, member, other_member):
    response = member_client.post(f"/members/{other_member.username}/block/")
    assert response.status_code == 302
    assert Block.objects.filter(blocker=member, blocked=other_member).exists()
    page = member_client.get(f"/members/{other_member.username}/").content.decode()
    assert "Unblock" in page
    assert "/messages/new/?to=" not in page
    member_client.post(f"/members/{other_member.username}/unblock/")
    assert not Block.objects.exists()
    page = member_client.get(f"/members/{other_member.username}/").content.decode()
    assert f'href="/messages/new/?to={other_member.username}"' in page


def test_block_needs_a_post_and_a_real_member(member_client):
    assert member_client.get("/members/nobody/block/").status_code == 405
    assert member_client.post("/members/nobody/block/").status_code == 404


def test_a_visitor_sees_no_message_or_block_button(visitor_client, other_member):
    page = visitor_client.get(f"/members/{other_member.username}/").content.decode()
    assert "/messages/new/" not in page
    assert "/block/" not in page


def test_blocking_redirects_only_to_this_site(member_client, other_member):
    response = member_client.post(
        f"/members/{other_member.username}/block/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == other_member.get_absolute_url()


def test_the_settings_page_lists_blocked_members_and_the_email_preference(
    member_client, member, other_member
):
    Block.objects.create(blocker=member, blocked=other_member)
    page = member_client.get(f"/members/{member.username}/edit/").content.decode()
    assert "Members you blocked" in page
    assert f"/members/{other_member.username}/unblock/" in page
    assert 'name="message_emails"' in page


def test_the_header_badge_counts_unread_messages(member_client, visitor_client, conversation):
    assert "1" in member_client.get("/messages/unread/").content.decode()
    assert "is-zero" in visitor_client.get("/messages/unread/").content.decode()


# --- what the pages cost ---------------------------------------------------------------------


# The page of conversations comes with its unread counts and last words in one query,
# their other members in one more: the count does not grow with the list.
LIST_QUERIES = 6
# The newest messages in one query, their mentions in one, the people in one: the
# count does not grow with the messages.
CONVERSATION_QUERIES = 9


def test_the_list_costs_the_same_for_3_and_30_conversations(
    member, member_client, django_assert_num_queries
):
    people = [make_member() for _ in range(3)]
    for n in range(3):
        make_conversation(people[n % 3], member, people[(n + 1) % 3])
    member_client.get("/messages/")  # the bell's count is read once, then kept
    with django_assert_num_queries(LIST_QUERIES):
        assert member_client.get("/messages/").status_code == 200
    for n in range(27):
        make_conversation(make_moderator(), member, body=f"Message {n}")
    with django_assert_num_queries(LIST_QUERIES):
        page = member_client.get("/messages/")
    assert page.content.decode().count("data-conversation=") == 20  # one page of them


def test_a_conversation_page_costs_the_same_for_3_and_30_messages(
    member, other_member, member_client, conversation, django_assert_num_queries
):
    for n in range(2):
        say(conversation, other_member, f"@{member.username} message {n}")
    member_client.get(conversation.get_absolute_url())  # marks everything read
    with django_assert_num_queries(CONVERSATION_QUERIES):
        assert member_client.get(conversation.get_absolute_url()).status_code == 200
    Message.objects.bulk_create(
        Message(conversation=conversation, author=other_member if n % 2 else member, body=f"m{n}")
        for n in range(27)
    )
    member_client.get(conversation.get_absolute_url())
    with django_assert_num_queries(CONVERSATION_QUERIES):
        page = member_client.get(conversation.get_absolute_url())
    assert page.content.decode().count('class="pm') >= 30
