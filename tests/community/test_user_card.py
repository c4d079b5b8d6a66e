"""The small card a click on a member's name opens: who they are, their level, a few
badges and counts (hidden from visitors when the member keeps their activity private),
and a Message button for other signed-in members once private messages exist."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch
from django.utils import timezone

from community import badges, cards
from community.badges import BadgeLabel
from community.models import MemberDay
from tests.chat.factories import make_message, make_room
from tests.forum.factories import make_reply, make_topic
from tests.forum.test_queries import TOPIC_PAGE_QUERIES

CARD = "/members/maya/card/"


@pytest.fixture
def messages_exist(monkeypatch):
    """Private messages are another app: pretend its "new conversation" page exists."""

    def reverse(name, *args, **kwargs):
        if name == "conversations:new":
            return "/messages/new/"
        raise NoReverseMatch(name)

    monkeypatch.setattr(cards, "reverse", reverse)


@pytest.fixture
def no_messages(monkeypatch):
    def reverse(name, *args, **kwargs):
        raise NoReverseMatch(name)

    monkeypatch.setattr(cards, "reverse", reverse)


def _card(client, path: str = CARD) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_who_the_member_is_and_what_they_did(visitor_client, member, other_member):
    topic = make_topic(author=member, title="Crumb too tight")
    make_reply(topic=topic, author=member)
    make_reply(topic=topic, author=other_member)
    MemberDay.objects.create(member=member, day=timezone.localdate())
    page = _card(visitor_client)
    assert "Maya" in page and "@maya" in page
    assert "Member</span>" in page  # the trust level's name
    assert "Joined <time" in page
    assert "<dt>Topics</dt><dd>1</dd>" in page
    assert "<dt>Replies</dt><dd>1</dd>" in page
    assert "<dt>Days visited</dt><dd>1</dd>" in page
    assert 'href="/members/maya/"' in page and "View profile" in page


def test_it_shows_the_members_badges(visitor_client, member, monkeypatch):
    label = BadgeLabel(key="k", name="First loaf", tier="gold", tier_label="Gold", url="/b/k/")
    monkeypatch.setattr(badges, "_lookup", lambda ids: {member.pk: label})
    # Without an app that offers several, the card shows the member's top badge.
    monkeypatch.setattr(cards, "_card_badges", None)
    assert "Gold badge: </span>First loaf" in _card(visitor_client)
    # The app that keeps badges may offer a few of them.
    monkeypatch.setattr(cards, "_card_badges", lambda m, limit: [label] * 5)
    cache.clear()
    assert _card(visitor_client).count("Gold badge: </span>First loaf") == cards.CARD_BADGES


def test_private_activity_is_hidden_from_visitors_but_not_from_members(
    visitor_client, other_member_client, member
):
    make_topic(author=member)
    member.activity_public = False
    member.save(update_fields=["activity_public"])
    page = _card(visitor_client)
    assert "<dt>Topics</dt>" not in page
    assert "Maya shares their activity with members only." in page
    assert "<dt>Topics</dt><dd>1</dd>" in _card(other_member_client)


def test_the_message_button_is_for_other_signed_in_members(
    messages_exist, visitor_client, member_client, other_member_client
):
    assert 'href="/messages/new/?to=maya"' in _card(other_member_client)
    assert "/messages/new/" not in _card(visitor_client)
    assert "/messages/new/" not in _card(member_client)  # not to oneself


def test_there_is_no_message_button_until_private_messages_exist(
    no_messages, other_member_client, member
):
    assert "Message" not in _card(other_member_client)


@pytest.mark.parametrize(
    "path",
    [
        "/members/nobody/card/",
        "/members/%00/card/",
        "/members/" + "x" * 500 + "/card/",
        "/members/%E2%80%AE%F0%9F%92%A5/card/",
        "/members/maya'--/card/",
    ],
)
def test_unknown_or_junk_usernames_are_404(visitor_client, member, path):
    # A null byte is refused before the view (400); nothing is ever a 500.
    assert visitor_client.get(path).status_code in (400, 404)


def test_a_closed_account_has_no_card(visitor_client, member):
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert visitor_client.get(CARD).status_code == 404


def test_it_answers_get_only(other_member_client, member):
    assert other_member_client.post(CARD).status_code == 405


def test_it_is_private_to_the_reader(visitor_client, member):
    response = visitor_client.get(CARD)
    assert "private" in response["Cache-Control"]


def test_the_card_costs_a_few_queries_and_none_for_the_facts_when_opened_again(
    other_member_client, member, django_assert_num_queries
):
    make_topic(author=member)
    # Session, reader, member and both their roles; the first time also the level, the
    # top badge, the forum's three counts and the days visited (then kept a minute).
    with django_assert_num_queries(10):
        other_member_client.get(CARD)
    with django_assert_num_queries(5):
        other_member_client.get(CARD)


def test_names_in_posts_open_cards_without_costing_the_topic_page_a_query(
    moderator_client, member, other_member
):
    topic = make_topic(author=member)
    for _ in range(3):
        make_reply(topic=topic, author=other_member)
    moderator_client.get(topic.get_absolute_url())  # fills the fragment cache
    with CaptureQueriesContext(connection) as ctx:
        page = moderator_client.get(topic.get_absolute_url()).content.decode()
    # The same cost as before cards: the names are plain links until someone clicks.
    assert len(ctx.captured_queries) == TOPIC_PAGE_QUERIES["moderator_client"][1]  # rows kept
    assert 'data-user-card="/members/maya/card/"' in page
    assert page.count('data-user-card="/members/sam/card/"') == 3
    assert "js/usercard.js" in page


def test_names_in_chat_open_cards(member_client, other_member):
    room = make_room(slug="lounge")
    make_message(room, other_member)
    page = member_client.get("/chat/lounge/").content.decode()
    assert 'data-user-card="/members/sam/card/"' in page
    assert "js/usercard.js" in page
