"""The site's own pages (Wagtail's: home, blog, guides) are kept whole for visitors
(hearth/kept_pages.py): the next visitor reads no rows, yet publishing, unpublishing,
moving or deleting a page, or closing it to visitors, shows at once; everything else a
page shows from other apps is at most a minute old; members always get their own page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from tests.blog.factories import make_post

pytestmark = pytest.mark.django_db


def _visit(path: str, client: Client | None = None) -> tuple[int, str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = (client or Client()).get(path)
    return response.status_code, response.content.decode(), len(queries.captured_queries)


@pytest.mark.parametrize("path", ["/", "/blog/", "/guides/"])
def test_the_next_visitor_of_a_site_page_reads_no_rows(path):
    first = _visit(path)
    response = Client().get(path)
    second = _visit(path)
    assert first[0] == second[0] == 200 and first[2] > 0
    assert second[2] == 0
    assert second[1] == first[1]
    assert not response.cookies  # nothing personal in a kept page


def test_a_blog_post_is_kept_too():
    post = make_post("Crumb shots")
    first = _visit(post.url)
    second = _visit(post.url)
    assert first[0] == 200 and "Crumb shots" in second[1] and second[2] == 0


def test_members_never_get_a_kept_page(member_client, member):
    _visit("/")
    status, page, queries = _visit("/", member_client)
    assert status == 200 and queries > 0
    assert member.get_absolute_url() in page and "Join the community" not in page


def test_publishing_a_post_shows_on_the_blog_at_once():
    _visit("/blog/")
    make_post("Rye in winter")
    status, page, _ = _visit("/blog/")
    assert status == 200 and "Rye in winter" in page


def test_unpublishing_a_post_takes_it_away_at_once():
    post = make_post("Short-lived")
    url = post.url
    assert "Short-lived" in _visit("/blog/")[1] and _visit(url)[0] == 200
    post.unpublish()
    assert "Short-lived" not in _visit("/blog/")[1]
    assert _visit(url)[0] == 404


def test_deleting_a_post_takes_it_away_at_once():
    post = make_post("Gone soon")
    url = post.url
    assert _visit(url)[0] == 200
    post.delete()
    assert _visit(url)[0] == 404


def test_a_page_closed_to_visitors_is_closed_at_once():
    post = make_post("Members' recipe")
    assert _visit(post.url)[0] == 200
    PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)
    status, _, _ = _visit(post.url)
    assert status == 302  # to the sign-in page, not the kept copy


def test_what_other_apps_show_is_at_most_a_minute_old(member, settings):
    # The local-memory cache reads the (travelling) clock; Redis keeps its own time.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A member's new name shows on a guide's byline or the home page's latest topics
    # without any page being published: the kept copy lives a minute at most.
    _visit("/")
    member.display_name = "Maya the Baker"
    member.save()
    with time_machine.travel(timezone.now() + timedelta(seconds=50)):
        assert _visit("/")[2] == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert _visit("/")[2] > 0  # rendered afresh


def test_made_up_query_strings_get_the_page_rendered_and_not_kept():
    _visit("/blog/?utm_source=mail")
    assert _visit("/blog/?utm_source=mail")[2] > 0
    assert _visit("/blog/?page=1")[0] == 200


def test_a_visitor_with_a_session_gets_the_page_rendered():
    _visit("/")
    with_session = Client()
    with_session.cookies["sessionid"] = "not-a-real-session"
    assert _visit("/", with_session)[2] > 0
