"""The category page, the topic lists (latest, new, unread, top) and a tag's page draw
their topics from the same kept rows as the forum index (community/forum/listing_rows.py):
a row is found under a hash of everything it shows, so a reply, a read, a rename, a new
tag or time passing shows at once, each reader sees their own read state, and a listing
across categories shows each topic's category where one category's page does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.forum import actions
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_tag, make_topic

pytestmark = pytest.mark.django_db

LISTINGS = ["category", "latest", "tag"]


@pytest.fixture
def topic(other_member):
    make_tag("crumb")
    return make_topic(
        author=other_member,
        category=make_category(name="Baking"),
        title="Rye bread",
        tags=("crumb",),
    )


def _url(listing: str, topic) -> str:
    return {
        "category": topic.category.get_absolute_url(),
        "latest": "/forum/latest/",
        "tag": "/forum/tags/crumb/",
    }[listing]


def _page(client, listing: str, topic) -> str:
    response = client.get(_url(listing, topic))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("listing", LISTINGS)
def test_a_reply_shows_in_the_row_at_once(listing, topic, member_client, moderator):
    assert "<strong>0</strong> replies" in _page(member_client, listing, topic)
    make_reply(topic=topic, author=moderator)
    page = _page(member_client, listing, topic)
    assert "<strong>1</strong> reply" in page and "Mo, " in page


@pytest.mark.parametrize("listing", LISTINGS)
def test_reading_shows_at_once_and_only_for_the_reader(
    listing, topic, member, member_client, other_member
):
    actions.record_read(topic=topic, member=member, last_read=None, up_to=1)
    make_reply(topic=topic, author=other_member)
    assert "is-unread" in _page(member_client, listing, topic)
    newcomer = Client()
    newcomer.force_login(make_member())
    theirs = _page(newcomer, listing, topic)
    assert "is-unread" not in theirs and "badge--new" in theirs
    actions.record_read(topic=topic, member=member, last_read=1, up_to=2)
    assert "is-unread" not in _page(member_client, listing, topic)


@pytest.mark.parametrize("listing", LISTINGS)
def test_renames_show_at_once(listing, topic, member_client, other_member):
    _page(member_client, listing, topic)
    topic.title = "Rye bread, revisited"
    topic.save(update_fields=["title"])
    other_member.display_name = "Samira"
    other_member.save(update_fields=["display_name"])
    page = _page(member_client, listing, topic)
    assert "Rye bread, revisited" in page and "Samira" in page


@pytest.mark.parametrize("listing", ["category", "latest"])
def test_a_new_tag_shows_at_once(listing, topic, member_client):
    _page(member_client, listing, topic)
    topic.tags.add(make_tag("spelt"))
    assert "spelt" in _page(member_client, listing, topic)


@pytest.mark.parametrize("listing", LISTINGS)
def test_time_passing_shows_in_the_row(listing, topic, member_client):
    now = _page(member_client, listing, topic)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        later = _page(member_client, listing, topic)
    assert later != now


def test_only_listings_across_categories_show_the_category(topic, member_client):
    chip = 'class="category-chip'
    assert chip not in _page(member_client, "category", topic)
    assert chip in _page(member_client, "latest", topic)
    assert chip in _page(member_client, "tag", topic)
    # The same topic in the same list narrowed to its category: no chip, its own row.
    narrowed = member_client.get(f"/forum/latest/?category={topic.category.slug}")
    assert chip not in narrowed.content.decode()


def test_a_renamed_category_shows_in_the_rows_that_show_it(topic, member_client):
    _page(member_client, "latest", topic)
    category = topic.category
    category.name = "Bread and more"
    category.save(update_fields=["name"])
    assert "Bread and more" in _page(member_client, "latest", topic)


@pytest.mark.parametrize("listing", LISTINGS)
def test_pinned_locked_and_solved_show_at_once(listing, topic, member_client, moderator):
    _page(member_client, listing, topic)
    answer = make_reply(topic=topic, author=moderator)
    topic.pinned, topic.locked, topic.solution = True, True, answer
    topic.save(update_fields=["pinned", "locked", "solution"])
    page = _page(member_client, listing, topic)
    assert "badge--pinned" in page and "badge--locked" in page and "badge--solved" in page


# --- the rows themselves are kept per kind of reader (community/forum/topic_rows.py) -----


def _rows(client, url: str) -> str:
    """The listing's topic rows (not the index's categories, which name their latest)."""
    page = client.get(url).content.decode()
    return page[page.index('<ol class="topic-list">') :]


def _second_reader() -> Client:
    client = Client()
    client.force_login(make_member())
    return client


@pytest.mark.parametrize("listing", ["index", "category"])
def test_what_one_member_muted_stays_out_of_their_listing_only(
    listing, topic, member, member_client, other_member
):
    second = make_topic(
        author=other_member, category=topic.category, title="Spelt loaves", tags=("crumb",)
    )
    other = _second_reader()
    url = "/forum/" if listing == "index" else topic.category.get_absolute_url()
    assert "Spelt loaves" in _rows(other, url)  # kept for every member
    actions.set_topic_level(topic=second, member=member, level="muted")
    mine = _rows(member_client, url)
    assert "Spelt loaves" not in mine and "Rye bread" in mine
    assert "Spelt loaves" in _rows(other, url)


def test_a_muted_category_leaves_the_index_for_its_member_only(topic, member, member_client):
    other = _second_reader()
    assert "Rye bread" in _rows(other, "/forum/")
    actions.set_category_level(category=topic.category, member=member, level="muted")
    assert "Rye bread" not in _rows(member_client, "/forum/")
    assert "Rye bread" in _rows(other, "/forum/")
    # Its own page still lists it for them: they asked for that category.
    assert "Rye bread" in _rows(member_client, topic.category.get_absolute_url())


@pytest.mark.parametrize("listing", ["index", "category"])
def test_a_hidden_topic_leaves_the_kept_rows_at_once(listing, topic, moderator, member_client):
    url = "/forum/" if listing == "index" else topic.category.get_absolute_url()
    other = _second_reader()
    assert "Rye bread" in _rows(other, url)
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    assert "Rye bread" not in _rows(member_client, url)


def test_a_second_member_reads_the_kept_rows_with_their_own_read_state(
    topic, member, member_client, other_member
):
    url = topic.category.get_absolute_url()
    other = _second_reader()
    actions.record_read(topic=topic, member=member, last_read=None, up_to=1)
    make_reply(topic=topic, author=other_member)
    assert "is-unread" not in _rows(other, url)  # never opened: new to them
    assert "is-unread" in _rows(member_client, url)
    with CaptureQueriesContext(connection) as queries:
        member_client.get(url)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "forum_taggedtopic" not in sql  # the rows and their tags came kept
