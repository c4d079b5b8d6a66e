"""The forum index for members, fast: each topic row is kept, found under a hash of all
it shows (community/forum/listing_rows.py), so a reply, a read, a rename or time passing
shows at once, and a member never sees another reader's read state."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from community.forum import actions
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_tag, make_topic

pytestmark = pytest.mark.django_db
URL = "/forum/"


@pytest.fixture
def topic(other_member):
    return make_topic(author=other_member, category=make_category(name="Baking"), title="Rye bread")


def _page(client) -> str:
    return client.get(URL).content.decode()


def test_the_index_costs_five_queries_for_a_member_seven_after_a_change(
    topic, member_client, other_member, django_assert_num_queries
):
    member_client.get(URL)  # the bell's count is read once, then kept
    # Session, member, categories, the member's groups and their read position on the
    # latest topics; the topics and their tags are kept for every member
    # (community/forum/topic_rows.py) until a topic, post, tag or category changes.
    with django_assert_num_queries(5):
        member_client.get(URL)
    make_tag("crumb")
    for n in range(8):
        make_topic(author=other_member, title=f"More topics {n}", tags=("crumb",))
    with django_assert_num_queries(7):  # the topics and their tags read afresh
        member_client.get(URL)
    with django_assert_num_queries(5):
        member_client.get(URL)


def test_a_new_topic_and_a_reply_show_at_once(topic, member_client, moderator):
    assert "Rye bread" in _page(member_client)
    make_reply(topic=topic, author=moderator)
    page = _page(member_client)
    assert "<strong>1</strong> reply" in page and "Mo, " in page
    make_topic(author=moderator, title="Spelt")
    assert "Spelt" in _page(member_client)


def test_reading_a_topic_shows_in_its_row_at_once(topic, member, member_client, other_member):
    actions.record_read(topic=topic, member=member, last_read=None, up_to=1)
    make_reply(topic=topic, author=other_member)
    assert "is-unread" in _page(member_client)
    actions.record_read(topic=topic, member=member, last_read=1, up_to=2)
    assert "is-unread" not in _page(member_client)


def test_rows_carry_only_each_readers_own_read_state(topic, member_client, other_member):
    reader = make_member()
    actions.record_read(topic=topic, member=reader, last_read=None, up_to=1)
    make_reply(topic=topic, author=other_member)
    from django.test import Client

    theirs = Client()
    theirs.force_login(reader)
    assert "is-unread" in _page(theirs)
    mine = _page(member_client)
    assert "is-unread" not in mine and "badge--new" in mine  # never read: new to them


def test_an_authors_new_name_shows_at_once(topic, member_client, other_member):
    assert "Sam" in _page(member_client)
    other_member.display_name = "Samira"
    other_member.save(update_fields=["display_name"])
    assert "Samira" in _page(member_client)


def test_a_renamed_topic_shows_at_once(topic, member_client):
    _page(member_client)
    topic.title = "Rye bread, revisited"
    topic.save(update_fields=["title"])
    assert "Rye bread, revisited" in _page(member_client)


def test_time_passing_shows_in_the_rows(topic, member_client):
    now = _page(member_client)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        later = _page(member_client)
    assert later != now


def test_visitors_and_members_get_their_own_rows(topic, visitor_client, member_client):
    visitor = _page(visitor_client)
    member = _page(member_client)
    assert "badge--new" in member and "badge--new" not in visitor


def test_a_new_topic_shows_in_its_categorys_count_and_latest_at_once(
    topic, member_client, moderator
):
    page = _page(member_client)
    assert "<strong>1</strong> topic" in page
    make_topic(author=moderator, category=topic.category, title="Spelt loaves")
    page = _page(member_client)
    assert "<strong>2</strong> topics" in page and "Spelt loaves" in page


def test_a_renamed_category_shows_at_once(topic, member_client):
    _page(member_client)
    category = topic.category
    category.name = "Bread and more"
    category.save(update_fields=["name"])
    assert "Bread and more" in _page(member_client)


def test_a_members_category_is_read_by_members_and_offered_to_visitors(
    visitor_client, member_client, other_member
):
    from community.forum.models import ReadAccess

    closed = make_category(name="Back room", read_access=ReadAccess.MEMBERS)
    make_topic(author=other_member, category=closed, title="Members talk")
    member_page = _page(member_client)
    visitor_page = _page(visitor_client)
    assert "Members talk" in member_page
    assert "Members talk" not in visitor_page and "Sign in to read" in visitor_page
