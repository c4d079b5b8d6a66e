"""/search/?language=<code>: members' topics, replies and guides written in one language,
matched with that language's text search configuration on PostgreSQL
(hearth.content_language.search_in_language). SQLite's full-text search is the same for
every language, so there the filter narrows the results and the matching is unchanged."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django.utils import translation

from hearth import content_language
from tests.blog.factories import published_guide
from tests.forum.factories import make_category, make_reply, make_topic

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="per-language text search configurations are PostgreSQL's; "
    "set DATABASE_URL=postgres://… to run this",
)


def _search(query: str, **params: str) -> str:
    response = Client().get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def forum(member, other_member):
    category = make_category(name="Baking")
    with translation.override("et"):
        estonian = make_topic(
            author=other_member,
            category=category,
            title="Rukkijuuretis ei kerki",
            body="Tegin juuretise rukkijahust, aga see ei kerki.",
        )
        make_reply(topic=estonian, author=member, body="Pane juuretis sooja kohta ahju juurde.")
    english = make_topic(
        author=member,
        category=category,
        title="Rye starter will not rise",
        body="My rye juuretis starter is sluggish.",
    )
    return estonian, english


def test_the_language_narrows_topics_and_replies(forum):
    estonian, english = forum
    everything = _search("juuretis")
    assert estonian.title in everything and english.title in everything
    narrowed = _search("juuretis", language="et")
    assert estonian.title in narrowed and english.title not in narrowed
    assert "Reply" in narrowed  # the Estonian reply is found too
    assert english.title in _search("juuretis", language="en-gb")
    assert estonian.title not in _search("juuretis", language="en-gb")


@pytest.mark.parametrize("junk", ["xx", "", "<b>et</b>", "et" * 50])
def test_a_junk_language_searches_every_language(forum, junk):
    estonian, english = forum
    page = _search("juuretis", language=junk)
    assert estonian.title in page and english.title in page
    assert "<b>et</b>" not in page


def test_the_form_offers_the_languages_and_the_kinds_keep_the_choice(forum):
    page = _search("juuretis", language="et")
    assert '<label for="search-language">' in page
    assert '<option value="et" lang="et" selected>Eesti</option>' in page
    assert "&amp;language=et" in page  # the "one kind" links keep the language


def test_the_language_narrows_guides(member, editor):
    with translation.override("et"):
        estonian = published_guide(member, editor, title="Rukkileib ja juuretis")
    english = published_guide(member, editor, title="Rye bread with a juuretis starter")
    page = _search("juuretis", language="et")
    assert f'href="{estonian.url}"' in page and f'href="{english.url}"' not in page


@needs_postgresql
def test_each_language_has_a_configuration_or_falls_back_to_simple():
    configs = {code: content_language.text_search_config(code) for code in ("en-gb", "lt", "et")}
    assert configs["en-gb"] == "english"
    assert configs["lt"] == "lithuanian"
    assert configs["et"] in {"estonian", "simple"}
    # Ukrainian and Latvian have no Snowball stemmer in PostgreSQL up to 17.
    assert content_language.text_search_config("uk") in {"ukrainian", "simple"}


@needs_postgresql
def test_an_estonian_word_finds_the_estonian_post(forum):
    estonian, _ = forum
    page = _search("kerki", language="et")
    assert estonian.title in page
    if content_language.text_search_config("et") == "estonian":
        # With a stemmer, another form of the word finds it too.
        assert estonian.title in _search("juuretisega", language="et")


@needs_postgresql
def test_an_inflected_word_finds_the_post_with_its_languages_stemmer(member):
    with translation.override("lt"):
        topic = make_topic(
            author=member,
            category=make_category(name="Kepiniai"),
            title="Kaip iškepti naminę duoną",
            body="Duona kepama karštoje orkaitėje.",
        )
    # "duonos" (of bread) and "duona" (bread) share their Lithuanian stem: the Lithuanian
    # configuration finds the topic, the English one (today's index) does not.
    assert topic.title in _search("duonos", language="lt")
    assert topic.title not in _search("duonos")
