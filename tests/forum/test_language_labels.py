"""Topics stay in the language they were written in (hearth.content_language): a new topic
takes its writer's interface language (or the category's, or the one they pick), lists and
the topic page label it where it is not the reader's language and mark it with ``lang``,
and the forum index and category pages narrow to one language (``?language=``) at the
same cost whatever the number of rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from community.forum import actions
from community.forum.models import Category, Topic
from tests.forum.factories import forget_rate_limit, make_category, make_tag, make_topic

pytestmark = pytest.mark.django_db

ESTONIAN_LABEL = '<span lang="et">Eesti</span>'


@pytest.fixture
def baking(db):
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def estonian_topic(other_member, baking):
    with translation.override("et"):
        return make_topic(
            author=other_member,
            category=baking,
            title="Rukkijuuretis ei kerki",
            body="Tegin juuretise, aga see ei kerki.",
        )


@pytest.fixture
def english_topic(member, baking):
    return make_topic(author=member, category=baking, title="Rye starter will not rise")


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _estonian_client() -> Client:
    client = Client()
    client.cookies["hearth_language"] = "et"
    return client


# --- the language of a new topic --------------------------------------------------------


def test_it_takes_the_writers_interface_language_by_default(member, member_client, baking):
    member.language = "et"
    member.save(update_fields=["language"])
    form = _page(member_client, "/forum/new/")
    assert '<label for="id_language">' in form
    assert re.search(r'<option value="et"[^>]*selected', form)
    response = member_client.post(
        "/forum/new/",
        {"category": "baking", "title": "Leib ja juuretis", "body": "Kuidas teil läheb?"},
    )
    assert response.status_code == 302
    assert Topic.objects.get(title="Leib ja juuretis").language == "et"


def test_the_writer_picks_another_language(member_client, baking):
    response = member_client.post(
        "/forum/new/",
        {
            "category": "baking",
            "title": "Який хліб ви печете?",
            "body": "Я печу паляницю щосуботи.",
            "language": "uk",
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(title="Який хліб ви печете?")
    assert topic.language == "uk"
    assert 'lang="uk"' in _page(Client(), topic.get_absolute_url())


def test_a_language_hearth_does_not_offer_is_refused_beside_the_field(member_client, baking):
    response = member_client.post(
        "/forum/new/",
        {"category": "baking", "title": "A title here", "body": "Words.", "language": "xx"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Topic.objects.filter(title="A title here").exists()


def test_a_category_that_belongs_to_a_language_gives_its_topics_that_language(
    member, member_client
):
    make_category(name="Lietuvių kampelis", slug="lt-kampelis", language="lt")
    form = _page(member_client, "/forum/new/?category=lt-kampelis")
    assert re.search(r'<option value="lt"[^>]*selected', form)
    forget_rate_limit(member)
    topic = actions.start_topic(
        category=Category.objects.get(slug="lt-kampelis"),
        author=member,
        title="Duonos receptas",
        body="Kepame duoną kartu.",
    )
    assert topic.language == "lt"
    # The writer's own choice still wins.
    forget_rate_limit(member)
    chosen = actions.start_topic(
        category=Category.objects.get(slug="lt-kampelis"),
        author=member,
        title="Bread in English",
        body="Words.",
        language="en-gb",
    )
    assert chosen.language == "en-gb"


def test_visitors_are_still_sent_to_sign_in_to_start_a_topic(visitor_client):
    response = visitor_client.get("/forum/new/")
    assert response.status_code == 302 and "login" in response["Location"]


# --- labels and lang attributes ---------------------------------------------------------


def test_the_label_shows_only_where_the_language_differs(estonian_topic, english_topic):
    english_reader = _page(Client(), "/forum/")
    assert english_reader.count(ESTONIAN_LABEL) == 1
    assert '<span lang="en-gb">English</span>' not in english_reader
    estonian_reader = _page(_estonian_client(), "/forum/")
    assert ESTONIAN_LABEL not in estonian_reader
    assert estonian_reader.count('<span lang="en-gb">English</span>') == 1


def test_rows_and_the_topic_page_carry_the_topics_lang(estonian_topic, baking):
    assert f'lang="et">{estonian_topic.title}</a>' in _page(Client(), baking.get_absolute_url())
    page = _page(Client(), estonian_topic.get_absolute_url())
    assert f'<h1 lang="et">{estonian_topic.title}</h1>' in page
    assert '<div class="post__body" lang="et">' in page
    assert ESTONIAN_LABEL in page
    estonian_reader = _page(_estonian_client(), estonian_topic.get_absolute_url())
    assert ESTONIAN_LABEL not in estonian_reader
    # The title is in the page's own language there: no lang of its own.
    assert f"<h1>{estonian_topic.title}</h1>" in estonian_reader


def test_a_category_shows_its_language(baking):
    make_category(name="Eesti nurk", slug="eesti-nurk", language="et")
    index = _page(Client(), "/forum/")
    assert index.count(ESTONIAN_LABEL) == 1
    assert ESTONIAN_LABEL in _page(Client(), "/forum/c/eesti-nurk/")


# --- narrowing a listing to one language ------------------------------------------------


def _rows(page: str, *topics: Topic) -> list[bool]:
    """Whether each topic has a row (its title linked, in its language) on the page."""
    return [f'lang="{t.language}">{t.title}</a>' in page for t in topics]


@pytest.mark.parametrize("where", ["index", "category"])
def test_the_listing_narrows_to_one_language(where, estonian_topic, english_topic, baking):
    url = "/forum/" if where == "index" else baking.get_absolute_url()
    everything = _page(Client(), url)
    assert _rows(everything, estonian_topic, english_topic) == [True, True]
    assert 'aria-label="Show topics in"' in everything
    estonian = _page(Client(), f"{url}?language=et")
    assert _rows(estonian, estonian_topic, english_topic) == [True, False]
    assert re.search(r'href="[^"]*\?language=et"[^>]*aria-current="true"', estonian)
    english = _page(Client(), f"{url}?language=en-gb")
    assert _rows(english, estonian_topic, english_topic) == [False, True]


@pytest.mark.parametrize("junk", ["xx", "", "et'><script>", "EN-GB-x" * 20, "None"])
def test_a_junk_language_lists_every_topic(junk, estonian_topic, english_topic, baking):
    for url in ("/forum/", baking.get_absolute_url()):
        page = _page(Client(), f"{url}?language={junk}")
        assert _rows(page, estonian_topic, english_topic) == [True, True]
        assert "<script>" not in page


def test_kept_listings_are_kept_per_language(estonian_topic, english_topic):
    _page(Client(), "/forum/?language=et")
    with CaptureQueriesContext(connection) as second:
        estonian = _page(Client(), "/forum/?language=et")
    assert len(second.captured_queries) == 0  # kept under its own address
    assert _rows(estonian, english_topic) == [False]
    assert _rows(_page(Client(), "/forum/"), english_topic) == [True]
    assert _rows(_page(Client(), "/forum/?language=uk"), estonian_topic) == [False]


def test_a_junk_language_is_rendered_not_kept(estonian_topic):
    for _ in range(2):
        with CaptureQueriesContext(connection) as visit:
            _page(Client(), "/forum/?language=zz")
        assert len(visit.captured_queries) > 0


def test_the_index_categories_keep_the_filter_in_their_links(estonian_topic, baking):
    assert f'href="{baking.get_absolute_url()}?language=et"' in _page(
        Client(), "/forum/?language=et"
    )
    assert f'href="{baking.get_absolute_url()}"' in _page(Client(), "/forum/")


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        _page(client, url)
    return len(queries.captured_queries)


def test_the_filtered_index_costs_what_the_index_costs(
    estonian_topic, english_topic, member_client, other_member
):
    member_client.get("/forum/")  # the bell's count is read once, then kept
    member_client.get("/forum/?language=et")  # each listing's rows read, then kept
    plain = _count(member_client, "/forum/")
    filtered = _count(member_client, "/forum/?language=et")
    make_tag("rukis")
    for n in range(8):
        with translation.override("et"):
            make_topic(author=other_member, title=f"Veel teemasid {n}", tags=("rukis",))
    _count(member_client, "/forum/?language=et")  # the rows read afresh, then kept
    assert _count(member_client, "/forum/?language=et") == filtered == plain == 5


def test_a_filtered_category_page_costs_the_same_for_one_topic_or_thirty(
    member_client, other_member
):
    category = make_category()
    member_client.get("/forum/")
    with translation.override("et"):
        make_topic(author=other_member, category=category, title="Esimene teema")
    url = f"{category.get_absolute_url()}?language=et"
    one = _count(member_client, url)
    tags = [make_tag("leib"), make_tag("ahi")]
    with translation.override("et"):
        for n in range(30):
            topic = make_topic(author=other_member, category=category, title=f"Teema {n}")
            topic.tags.set(tags)
    assert _count(member_client, url) == one
    # Narrowed to a language, the page counts its topics (one COUNT more than the plain
    # page, which trusts the category's own count).
    assert one == _count(member_client, category.get_absolute_url()) + 1


def test_the_moderators_hidden_list_shows_no_filter(moderator_client, estonian_topic, baking):
    page = _page(moderator_client, f"{baking.get_absolute_url()}?show=hidden&language=et")
    assert 'aria-label="Show topics in"' not in page
