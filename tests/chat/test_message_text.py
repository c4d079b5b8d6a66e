"""@mentions and links read the same in chat as in the forum: on the room page and in
the frames that bring messages live."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.chat.actions import message_payload
from community.chat.text import body_html
from community.forum.markup import render_post
from tests.chat.factories import make_message, make_room
from tests.factories import make_member

pytestmark = pytest.mark.django_db

MENTION = '<a href="/members/sam/" class="mention" rel="nofollow ugc noopener">@sam</a>'


def _anchors(html: str) -> list[tuple[str, str, str]]:
    return [
        (a["href"], " ".join(a.get("class", [])), a.get_text())
        for a in BeautifulSoup(html, "html.parser").select("a")
    ]


def test_a_mention_of_a_member_links_to_their_profile_as_in_a_post(member, other_member):
    html = str(body_html("Thanks @sam and @Nobody!", author=member))
    assert html == f"Thanks {MENTION} and @Nobody!"
    forum = render_post("Thanks @sam and @Nobody!").html
    assert _anchors(html) == _anchors(forum) == [("/members/sam/", "mention", "@sam")]


def test_links_and_mentions_together_stay_escaped_text_with_anchors(member, other_member):
    html = str(body_html("<b>@sam</b> see https://example.com/a?who=@sam&x=1\nbye", author=member))
    assert html == (
        f"&lt;b&gt;{MENTION}&lt;/b&gt; see "
        '<a href="https://example.com/a?who=@sam&amp;x=1" rel="nofollow ugc noopener" '
        'target="_blank">https://example.com/a?who=@sam&amp;x=1</a><br>bye'
    )


def test_a_new_members_links_stay_words_but_mentions_stay_links_as_in_the_forum(other_member):
    newcomer = make_member(username="newbie", trust_level=None, joined_days_ago=0)
    html = str(body_html("@sam look https://example.com", author=newcomer))
    assert html == f"{MENTION} look https://example.com"
    forum = render_post("@sam look https://example.com", links=False).html
    assert _anchors(html) == _anchors(forum)


def test_live_messages_carry_the_same_html_as_the_page(visitor_client, member, other_member):
    room = make_room()
    message = make_message(room, member, "Morning @sam, https://example.com/rye")
    page = visitor_client.get(room.get_absolute_url()).content.decode()
    payload = message_payload(message)
    assert MENTION in payload["html"]
    assert f'<p class="chat-message__body" data-body>{payload["html"]}</p>' in page


def test_the_page_looks_mentions_up_once_for_all_its_messages(visitor_client, member, other_member):
    room = make_room()
    make_message(room, member, "hi @sam")
    with CaptureQueriesContext(connection) as one:
        visitor_client.get(room.get_absolute_url())
    for n in range(20):
        make_message(room, other_member, f"@maya number {n}, and @sam")
    with CaptureQueriesContext(connection) as many:
        page = visitor_client.get(room.get_absolute_url()).content.decode()
    assert len(many.captured_queries) == len(one.captured_queries)
    assert page.count('class="mention"') == 1 + 20 * 2
