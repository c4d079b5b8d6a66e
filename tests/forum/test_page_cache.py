"""Visitors' topic pages are kept whole (forum/page_cache.py): the second visitor reads no
rows, yet sees every change at once, and nothing personal is ever kept or served.

(Edits, reactions, hiding and deleting posts, solutions, authors' names, avatars and
badges are covered for visitors in test_fragments.py; these are the rest.)
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
import time_machine
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community.forum import actions, pages
from community.forum.models import ReadAccess
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_tag, make_topic


@pytest.fixture
def topic(db, member, other_member):
    topic = make_topic(author=member, title="Proofing in the fridge", body="Overnight works.")
    make_reply(topic=topic, author=other_member, body="Twelve hours at most.")
    return topic


def _visit(client, topic) -> tuple[int, str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(topic.get_absolute_url())
    return response.status_code, response.content.decode(), len(queries.captured_queries)


def test_the_second_visitor_reads_no_rows_and_gets_no_cookie(topic):
    first = _visit(Client(), topic)
    response = Client().get(topic.get_absolute_url())
    second = _visit(Client(), topic)
    assert first[0] == second[0] == 200 and first[2] > 0
    assert second[2] == 0
    assert second[1] == first[1]
    assert not response.cookies  # no CSRF or session cookie: nothing personal in it
    assert "csrfmiddlewaretoken" not in second[1] and "X-CSRFToken" not in second[1]


def test_members_never_get_a_kept_page(topic, member_client, visitor_client):
    _visit(visitor_client, topic)
    status, page, queries = _visit(member_client, topic)
    assert status == 200 and queries > 0
    assert "Your reply" in page and "Sign in to reply" not in page


def test_a_visitor_with_a_session_or_a_message_gets_the_page_rendered(topic):
    _visit(Client(), topic)
    with_session = Client()
    with_session.cookies["sessionid"] = "not-a-real-session"
    # Rendered, not served kept (the rows it reads may be kept: topic_rows.py).
    with mock.patch.object(pages, "topic_page", wraps=pages.topic_page) as rendered:
        assert _visit(with_session, topic)[0] == 200
    assert rendered.call_count == 1

    with_message = Client()
    storage = CookieStorage(HttpRequest())
    cookie_value = storage._encode([_message("You have signed out.")])
    with_message.cookies["messages"] = cookie_value
    status, page, _ = _visit(with_message, topic)
    assert status == 200
    assert "You have signed out." in page


def _message(text):
    from django.contrib.messages.storage.base import Message

    return Message(constants.INFO, text)


def test_a_hidden_topic_is_gone_for_visitors_at_once(topic, moderator):
    _visit(Client(), topic)
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    status, _, _ = _visit(Client(), topic)
    assert status == 404


def test_a_category_closed_to_visitors_closes_its_kept_pages(topic):
    _visit(Client(), topic)
    category = topic.category
    category.read_access = ReadAccess.MEMBERS
    category.save(update_fields=["read_access"])
    response = Client().get(topic.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_moved_topic_and_a_new_tag_show_at_once(topic, moderator):
    _visit(Client(), topic)
    elsewhere = make_category(name="Baking science", slug="baking-science")
    actions.move_topic(topic=topic, moderator=moderator, category=elsewhere)
    assert "Baking science" in _visit(Client(), topic)[1]

    topic.tags.add(make_tag("rye"))
    assert ">rye</a>" in _visit(Client(), topic)[1]


def test_a_new_reply_shows_at_once(topic, other_member):
    _visit(Client(), topic)
    make_reply(topic=topic, author=other_member, body="Or use a cool cellar.")
    assert "cool cellar" in _visit(Client(), topic)[1]


def test_made_up_query_strings_are_rendered_not_kept(topic):
    url = topic.get_absolute_url()
    _visit(Client(), topic)
    assert _visit(Client(), topic)[2] == 0  # the plain address is kept
    for junk in ("?utm_source=a", "?x=1", "?page=1&x=2"):
        # Rendered each time, never served kept (the rows it reads may be: topic_rows.py).
        with mock.patch.object(pages, "topic_page", wraps=pages.topic_page) as rendered:
            Client().get(f"{url}{junk}")
            Client().get(f"{url}{junk}")
        assert rendered.call_count == 2, junk


def test_each_address_is_kept_apart(topic):
    url = topic.get_absolute_url()
    Client().get(url)
    tracked = Client().get(f"{url}?utm_source=newsletter").content.decode()
    # The sign-in link brings the visitor back to the address they came by.
    assert "utm_source%3Dnewsletter" in tracked
    assert "utm_source" not in Client().get(url).content.decode()


# --- listings: the forum index and category pages -----------------------------------------


def _listing(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


@pytest.mark.parametrize("where", ["index", "category"])
def test_listings_are_kept_and_show_a_new_topic_at_once(topic, member, where):
    url = "/forum/" if where == "index" else topic.category.get_absolute_url()
    _listing(Client(), url)
    assert _listing(Client(), url)[1] == 0
    make_topic(author=member, category=topic.category, title="Banneton care")
    page, queries = _listing(Client(), url)
    assert "Banneton care" in page and queries > 0


def test_a_renamed_category_shows_on_the_index_at_once(topic):
    _listing(Client(), "/forum/")
    category = topic.category
    category.name = "Slow fermentation"
    category.save(update_fields=["name"])
    assert "Slow fermentation" in _listing(Client(), "/forum/")[0]


def test_a_kept_listing_is_at_most_a_minute_old(topic, settings):
    # The local-memory cache reads the (travelling) clock; Redis keeps its own time.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with time_machine.travel("2026-11-30 12:00", tick=False) as traveller:
        _listing(Client(), "/forum/")
        traveller.shift(30)
        assert _listing(Client(), "/forum/")[1] == 0
        traveller.shift(31)  # "3 minutes ago" must not stay written for long
        assert _listing(Client(), "/forum/")[1] > 0


def test_a_member_signing_in_does_not_retire_the_kept_pages(topic, member):
    from django.contrib.auth.models import update_last_login

    _visit(Client(), topic)
    update_last_login(None, member)  # what signing in writes
    assert _visit(Client(), topic)[2] == 0
    member.display_name = "Maya Brown"
    member.save(update_fields=["display_name"])
    assert _visit(Client(), topic)[2] > 0


def test_in_one_process_memory_a_kept_topic_page_lives_a_minute_at_most(topic, settings):
    # The task worker and the scheduler (other processes) cannot reach this cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with time_machine.travel("2026-11-30 12:00", tick=False) as traveller:
        _visit(Client(), topic)
        traveller.shift(30)
        assert _visit(Client(), topic)[2] == 0
        traveller.shift(31)
        assert _visit(Client(), topic)[2] > 0


@pytest.mark.parametrize("where", ["index", "category"])
def test_a_warmed_listing_shows_a_reply_a_hidden_topic_and_a_new_name_at_once(
    topic, member, other_member, moderator, where
):
    url = "/forum/" if where == "index" else topic.category.get_absolute_url()
    _listing(Client(), url)
    make_reply(topic=topic, author=member, body="A reply that moves the topic up.")
    page, _ = _listing(Client(), url)
    # The count moved without waiting for the minute.
    assert re.search(r"2(</strong>)? replies", page)
    member.display_name = "Maya the Baker"
    member.save(update_fields=["display_name"])
    assert "Maya the Baker" in _listing(Client(), url)[0]  # the last poster's new name
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    assert topic.title not in _listing(Client(), url)[0]


def test_a_post_hidden_by_flags_then_shown_again_shows_at_once(topic, moderator):
    from community.forum.models import FlagOutcome
    from community.models import User

    post = topic.posts.get(number=2)
    _visit(Client(), topic)
    for n in range(actions.FLAGS_TO_HIDE):
        flagger = User.objects.create_user(username=f"flagger{n}", email=f"f{n}@example.com")
        actions.flag_post(post=post, flagger=flagger, reason="spam")
    assert "Twelve hours at most." not in _visit(Client(), topic)[1]
    actions.resolve_flags(post=post, moderator=moderator, outcome=FlagOutcome.DISMISSED)
    assert "Twelve hours at most." in _visit(Client(), topic)[1]


def test_an_approved_held_post_shows_at_once(topic, other_member, moderator):
    from django.utils import timezone

    from community.forum.actions.posting import approve_held_post
    from community.forum.models import Post

    held = make_reply(topic=topic, author=other_member, body="Held for its links, then fine.")
    Post.objects.filter(pk=held.pk).update(held_at=timezone.now(), held_reason="links")
    _visit(Client(), topic)
    assert "Held for its links" not in _visit(Client(), topic)[1]
    approve_held_post(post=Post.objects.get(pk=held.pk), moderator=moderator)
    assert "Held for its links, then fine." in _visit(Client(), topic)[1]


def test_a_new_member_joining_keeps_the_forums_pages(topic):
    """Nobody's forum page shows a member who just joined, so a sign-up retires nothing
    (it used to retire every kept page and row of the forum)."""
    _visit(Client(), topic)
    make_member(username="newcomer")
    assert _visit(Client(), topic)[2] == 0
