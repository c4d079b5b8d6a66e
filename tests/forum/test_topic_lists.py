"""The forum's topic lists: Latest, New (since the last visit), Unread (watched topics
with unread posts), Top (by week, month, year), across the forum and per category; and
topic views counted in batches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.forum import actions, view_counts
from community.forum.models import ReadAccess, Topic
from community.models import MemberDay
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_topic


def _titles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    topics = response.context["topics"]
    return [t.title for t in topics]


@pytest.fixture
def baking(db):
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def tools(db):
    return make_category(name="Tools", slug="tools")


def test_latest_lists_topics_by_last_activity_and_filters_by_category(
    visitor_client, other_member, baking, tools
):
    old = make_topic(author=other_member, category=baking, title="Old bread")
    make_topic(author=other_member, category=tools, title="Best knife")
    make_reply(topic=old, author=other_member)
    assert _titles(visitor_client, "/forum/latest/") == ["Old bread", "Best knife"]
    assert _titles(visitor_client, "/forum/latest/?category=tools") == ["Best knife"]
    page = visitor_client.get("/forum/latest/").content.decode()
    assert '<a class="list-tabs__tab" href="/forum/latest/" aria-current="page">Latest</a>' in page
    assert "/forum/unread/" not in page  # a visitor has nothing to be unread


def test_new_lists_topics_started_since_the_last_visit_not_yet_opened(
    member_client, member, other_member, baking
):
    with time_machine.travel(timezone.now() - timedelta(days=5)):
        make_topic(author=other_member, category=baking, title="Before my last visit")
    MemberDay.objects.create(member=member, day=timezone.localdate() - timedelta(days=3))
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        make_topic(author=other_member, category=baking, title="Since then, opened")
    make_topic(author=other_member, category=baking, title="Since then, unopened")
    opened = Topic.objects.get(title="Since then, opened")
    member_client.get(opened.get_absolute_url())
    assert _titles(member_client, "/forum/new-topics/") == ["Since then, unopened"]


def test_new_goes_back_two_weeks_at_most(member_client, member, other_member, baking):
    MemberDay.objects.create(member=member, day=date(2001, 1, 1))
    with time_machine.travel(timezone.now() - timedelta(days=20)):
        make_topic(author=other_member, category=baking, title="Too old")
    make_topic(author=other_member, category=baking, title="Fresh")
    assert _titles(member_client, "/forum/new-topics/") == ["Fresh"]


def test_unread_lists_watched_topics_with_posts_the_member_has_not_read(
    member_client, member, other_member, baking
):
    watched = make_topic(author=other_member, category=baking, title="Watched")
    ignored = make_topic(author=other_member, category=baking, title="Not watched")
    for topic in (watched, ignored):
        member_client.get(topic.get_absolute_url())  # read up to the end
    actions.set_watching(topic=watched, member=member, watching=True)
    assert _titles(member_client, "/forum/unread/") == []
    make_reply(topic=watched, author=other_member)
    make_reply(topic=ignored, author=other_member)
    assert _titles(member_client, "/forum/unread/") == ["Watched"]
    member_client.get(watched.get_absolute_url())
    assert _titles(member_client, "/forum/unread/") == []


def test_top_ranks_by_replies_and_reactions_in_the_period_then_views(
    visitor_client, member, other_member, baking
):
    quiet = make_topic(author=other_member, category=baking, title="Quiet but read")
    busy = make_topic(author=other_member, category=baking, title="Busy bakers")
    make_reply(topic=busy, author=member)
    actions.toggle_reaction(post=busy.posts.get(number=1), member=member, kind="heart")
    make_topic(author=other_member, category=baking, title="Nothing yet")
    Topic.objects.filter(pk=quiet.pk).update(views=50)
    titles = _titles(visitor_client, "/forum/top/?period=week")
    assert titles == ["Busy bakers", "Quiet but read", "Nothing yet"]
    # Activity older than the period does not count, and a topic with none drops out.
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        make_reply(topic=quiet, author=member)
        assert _titles(visitor_client, "/forum/top/?period=week") == ["Quiet but read"]
        assert _titles(visitor_client, "/forum/top/?period=month")[0] == "Busy bakers"


def test_a_junk_period_is_a_month_and_a_junk_category_is_404(visitor_client, baking):
    response = visitor_client.get("/forum/top/?period=forever")
    assert response.status_code == 200 and response.context["period"] == "month"
    assert visitor_client.get("/forum/latest/?category=nope").status_code == 404


def test_members_lists_and_members_only_categories_send_visitors_to_sign_in(
    visitor_client, member_client, other_member
):
    private = make_category(slug="back-room", read_access=ReadAccess.MEMBERS)
    make_topic(author=other_member, category=private, title="Members only talk")
    for url in ("/forum/new-topics/", "/forum/unread/", "/forum/latest/?category=back-room"):
        assert visitor_client.get(url)["Location"].startswith("/accounts/login/"), url
    assert "Members only talk" not in visitor_client.get("/forum/latest/").content.decode()
    assert _titles(member_client, "/forum/latest/?category=back-room") == ["Members only talk"]


def test_hidden_topics_are_in_no_list(member_client, member, other_member, moderator, baking):
    topic = make_topic(author=other_member, category=baking, title="Spammy")
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    for url in ("/forum/latest/", "/forum/new-topics/", "/forum/top/?period=year"):
        assert "Spammy" not in _titles(member_client, url), url


@pytest.mark.parametrize(
    "url", ["/forum/latest/", "/forum/new-topics/", "/forum/unread/", "/forum/top/"]
)
def test_each_list_costs_the_same_for_2_or_30_topics(member_client, member, baking, url):
    author = make_member()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    topics = [make_topic(author=author, category=baking, title=f"Topic {i}") for i in range(2)]
    for topic in topics:
        actions.set_watching(topic=topic, member=member, watching=True)
        make_reply(topic=topic, author=author)
    few = count()
    for i in range(28):
        topic = make_topic(author=author, category=baking, title=f"More {i}")
        actions.set_watching(topic=topic, member=member, watching=True)
        make_reply(topic=topic, author=author)
    assert count() == few


def test_topic_views_are_counted_in_batches_without_a_write_per_view(
    visitor_client, member_client, other_member, baking
):
    topic = make_topic(author=other_member, category=baking)
    url = topic.get_absolute_url()
    with CaptureQueriesContext(connection) as ctx:
        visitor_client.get(url)  # rendered and kept
        visitor_client.get(url)  # the kept page: no query at all
    assert not [q for q in ctx.captured_queries if "views" in q["sql"] and "UPDATE" in q["sql"]]
    member_client.get(url)
    assert view_counts.pending() == {topic.pk: 3}
    assert Topic.objects.get(pk=topic.pk).views == 0
    with CaptureQueriesContext(connection) as ctx:
        assert view_counts.flush() == 1
    assert len(ctx.captured_queries) == 1
    assert Topic.objects.get(pk=topic.pk).views == 3
    assert view_counts.pending() == {}
    visitor_client.get("/forum/t/999999/")  # no such topic: not counted
    assert view_counts.pending() == {}
