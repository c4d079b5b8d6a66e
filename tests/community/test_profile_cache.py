"""A profile is kept whole for visitors and its forum counts are kept per member and kind
of reader (community.views, community.forum.sections): the next look reads fewer rows (a
visitor's none), yet every change the page shows is there at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community import trust
from community.forum import actions
from community.models import MemberDay
from community.notifications import bell_count
from tests.forum.factories import make_reply, make_topic

pytestmark = pytest.mark.django_db
URL = "/members/maya/"


def _profile(client, url: str = URL) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


@pytest.fixture
def topic(member, other_member):
    topic = make_topic(author=member, title="Crumb too tight", body="Dense crumb.")
    make_reply(topic=topic, author=member, body="More water helped.")
    return topic


def test_the_next_visitor_reads_no_rows(topic):
    first, queries = _profile(Client())
    assert queries > 0 and "<dt>Topics started</dt><dd>1</dd>" in first
    assert _profile(Client()) == (first, 0)
    assert _profile(Client(), URL + "?x=1")[1] > 0  # unknown parameters: worked out


def test_a_visitor_sees_the_members_own_changes_at_once(topic, member):
    visitor = Client()
    _profile(visitor)
    member.bio = "Baker of rye."
    member.save()
    assert "Baker of rye." in _profile(visitor)[0]
    member.display_name = "Maya B"
    member.save(update_fields=["display_name"])
    assert "<h1>Maya B</h1>" in _profile(visitor)[0]
    member.avatar = "avatars/maya.webp"
    member.save(update_fields=["avatar"])
    assert "avatars/maya.webp" in _profile(visitor)[0]
    member.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    assert ">Moderator</span>" in _profile(visitor)[0]
    member.activity_public = False
    member.save(update_fields=["activity_public"])
    page, _ = _profile(visitor)
    assert "shares their activity with members only" in page and "In the forum" not in page


def test_a_sign_in_alone_keeps_the_page(topic, member):
    _profile(Client())
    member.save(update_fields=["last_login"])
    assert _profile(Client())[1] == 0


def test_a_visitor_sees_forum_changes_and_days_visited_at_once(
    topic, member, other_member, moderator
):
    visitor = Client()
    _profile(visitor)
    make_topic(author=member, title="Second loaf")
    page, _ = _profile(visitor)
    assert "<dt>Topics started</dt><dd>2</dd>" in page and "Second loaf" in page
    extra = make_reply(topic=topic, author=member, body="And a longer proof.")
    assert "<dt>Replies</dt><dd>2</dd>" in _profile(visitor)[0]
    actions.hide_post(post=extra, moderator=moderator, reason="Duplicate")
    assert "<dt>Replies</dt><dd>1</dd>" in _profile(visitor)[0]
    actions.delete_post(post=topic.posts.get(number=2), member=member)
    assert "<dt>Replies</dt><dd>0</dd>" in _profile(visitor)[0]
    trust.record_visit_day(member)
    assert "Visited on 1 day." in _profile(visitor)[0]


def test_members_and_moderators_count_what_they_may_see(
    topic, member, other_member, moderator, other_member_client, moderator_client
):
    hidden = make_reply(topic=topic, author=member, body="A rude one.")
    _profile(other_member_client)
    _profile(moderator_client)
    actions.hide_post(post=hidden, moderator=moderator, reason="Rude")
    assert "<dt>Replies</dt><dd>1</dd>" in _profile(other_member_client)[0]
    assert "<dt>Replies</dt><dd>2</dd>" in _profile(moderator_client)[0]
    assert "Moderate this member" in _profile(moderator_client)[0]
    assert "Moderate this member" not in _profile(other_member_client)[0]
    make_topic(author=member, title="Third loaf")
    page, _ = _profile(other_member_client)
    assert "Third loaf" in page and "<dt>Topics started</dt><dd>2</dd>" in page


def test_a_members_look_reads_fewer_rows_the_second_time_and_the_count_is_pinned(
    topic, member, other_member, other_member_client, django_assert_num_queries
):
    bell_count(other_member)  # the bell's count is kept: warm it first
    MemberDay.objects.create(member=member, day="2026-01-02")
    _, cold = _profile(other_member_client)
    page, warm = _profile(other_member_client)
    assert warm < cold and "Visited on 1 day." in page
    # The session, the reader, the member, two for their roles, the guides (two), badges
    # and referrals, and the block check of the message button (two); the forum's counts
    # and topics and the days visited are kept.
    with django_assert_num_queries(11):
        other_member_client.get(URL)
