"""RSS and Atom feeds of the brand blog."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree

from tests.blog.factories import make_author, make_post

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def posts():
    author = make_author("Rosa Lind")
    older = make_post("Older news & notes", tags=("news",), authors=(author,), days_ago=3)
    newer = make_post("Newer <news>", tags=("events",), days_ago=1)
    make_post("Unpublished", publish=False)
    return older, newer


def test_it_serves_rss_that_parses_as_xml(visitor_client, posts):
    older, newer = posts
    response = visitor_client.get("/blog/feed/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Newer <news>", "Older news & notes"]
    assert items[1].findtext("link") == f"http://testserver{older.url}"
    assert items[1].findtext("description") == older.intro
    assert [c.text for c in items[1].findall("category")] == ["news"]
    assert items[1].findtext("{http://purl.org/dc/elements/1.1/}creator") == "Rosa Lind"


def test_it_serves_atom_that_parses_as_xml(visitor_client, posts):
    response = visitor_client.get("/blog/feed/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    assert entries[0].findtext(f"{ATOM}title") == "Newer <news>"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/blog/feed/atom/")


def test_it_serves_an_empty_feed_before_the_first_post(visitor_client):
    response = visitor_client.get("/blog/feed/rss/")
    assert response.status_code == 200
    assert ElementTree.fromstring(response.content).find("channel").findall("item") == []
