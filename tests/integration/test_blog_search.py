"""The one search on PostgreSQL: Wagtail's database backend uses PostgreSQL's full-text
search there (SQLite's FTS5 in the embedded default)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.blog.factories import make_post, published_guide, write_guide

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_searches_posts_and_guides_on_postgresql(
    requires_postgres, visitor_client, member, editor
):
    assert connection.vendor == "postgresql"
    post = make_post("Baking with rye", intro="Rye flour behaves differently.")
    guide = published_guide(member, editor, title="Rye sourdough for beginners")
    write_guide(member, title="Rye draft nobody should find")
    html = visitor_client.get("/search/?q=rye").content.decode()
    assert f'href="{post.url}"' in html and f'href="{guide.url}"' in html
    assert "Rye draft nobody should find" not in html
    assert "2 results for “rye”." in html


def test_it_survives_characters_postgresql_rejects(requires_postgres, visitor_client):
    # A NUL byte in a query string is an error in PostgreSQL; hearth.middleware refuses
    # it for every page before any query runs.
    assert visitor_client.get("/search/", {"q": "rye\x00bread"}).status_code == 400
    for query in ["'; DROP TABLE blog_blogpage; --", "a & b | !c", "::", "\\"]:
        assert visitor_client.get("/search/", {"q": query}).status_code == 200
