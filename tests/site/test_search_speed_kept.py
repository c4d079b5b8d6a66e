"""Search results are kept (hearth.search, hearth.kept_pages): a visitor's whole page, and
for members the results part, shared by every reader of the same kind. The next search
reads no rows for them, yet every change a result shows is there at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from community.forum import actions
from community.notifications import bell_count
from hearth.search import results_key
from tests.factories import make_member
from tests.forum.factories import make_reply, make_topic

pytestmark = pytest.mark.django_db


def _search(client, **params) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


@pytest.fixture
def topic(member, other_member):
    topic = make_topic(author=member, title="Rye in winter", body="Rye likes the cold.")
    make_reply(topic=topic, author=other_member, body="My rye starter sleeps in winter.")
    return topic


def test_the_next_visitor_reads_no_rows_and_each_query_is_its_own_page(topic):
    first, queries = _search(Client(), q="rye")
    assert queries > 0 and "2 results for “rye”." in first
    again, queries = _search(Client(), q="rye")
    assert (again, queries) == (first, 0)
    other, queries = _search(Client(), q="winter")
    assert queries > 0 and "Rye in winter" in other
    assert _search(Client(), q="rye", type="forum-posts")[1] > 0


def test_a_visitor_sees_every_change_at_once(topic, member, other_member, moderator):
    visitor = Client()
    _search(visitor, q="rye")
    new = make_reply(topic=topic, author=member, body="Spelt or rye, both sleep.")
    page, _ = _search(visitor, q="rye")
    assert "3 results" in page and "Spelt" in page
    actions.edit_post(post=new, editor=member, body="Spelt or rye, both rest.")
    page, _ = _search(visitor, q="rye")
    assert "both rest" in page and "both sleep" not in page
    other_member.display_name = "Samuel"
    other_member.save(update_fields=["display_name"])
    assert "by Samuel" in _search(visitor, q="rye")[0]
    actions.hide_post(post=new, moderator=moderator, reason="Off topic")
    page, _ = _search(visitor, q="rye")
    assert "2 results" in page and "both rest" not in page
    reply = topic.posts.get(number=2)
    actions.delete_post(post=reply, member=other_member)
    page, _ = _search(visitor, q="rye")
    assert "1 result for" in page and "sleeps in winter" not in page


def test_a_new_blog_post_shows_at_once(topic):
    from tests.blog.factories import make_post

    _search(Client(), q="rye")
    make_post("Rye crispbread", intro="Thin rye crispbread.", hero=False)
    assert "Rye crispbread" in _search(Client(), q="rye")[0]


def test_members_share_results_with_members_not_with_visitors_or_moderators(
    topic, member_client, other_member_client, moderator_client, member, other_member
):
    bell_count(member)  # the bell's count is kept: warm it first
    bell_count(other_member)
    page, cold = _search(member_client, q="rye")
    assert "Sign out" in page
    _search(other_member_client, q="oat")  # their first visit of the day is noted
    page, warm = _search(other_member_client, q="rye")
    assert "2 results" in page and warm < cold
    assert warm == _search(other_member_client, q="rye")[1]  # constant
    # a visitor's kept page is never a member's, nor the other way round
    assert "Sign in" in _search(Client(), q="rye")[0]
    assert _search(moderator_client, q="rye")[1] > warm  # a moderator's are their own


def test_the_member_results_page_query_count_is_pinned(
    topic, member_client, member, django_assert_num_queries
):
    bell_count(member)
    _search(member_client, q="rye")
    _search(member_client, q="rye")
    # The session, the member, their groups: the results are kept.
    with django_assert_num_queries(3):
        member_client.get("/search/", {"q": "rye"})


def test_a_new_reply_shows_to_members_at_once(topic, member_client, member):
    _search(member_client, q="rye")
    make_reply(topic=topic, author=member, body="Rye again, and again.")
    assert "3 results" in _search(member_client, q="rye")[0]


def test_the_key_holds_the_query_string_the_language_and_the_reader(member):
    factory = RequestFactory()
    another = make_member()

    def key(path: str, user=None, language: str = "en") -> str | None:
        from django.contrib.auth.models import AnonymousUser

        request = factory.get(path)
        request.user = user or AnonymousUser()
        with translation.override(language):
            return results_key(request)

    assert key("/search/?q=rye") != key("/search/?q=oat")
    assert key("/search/?q=rye") != key("/search/?q=rye", language="fr")
    assert key("/search/?q=rye") != key("/search/?q=rye", user=member)
    assert key("/search/?q=rye", user=member) == key("/search/?q=rye", user=another)
    assert key("/search/?q=rye&utm_source=x") is None  # unknown parameters are not kept
    assert key("/search/?q=" + "r" * 400) is None  # nor very long addresses


def test_a_search_with_a_made_up_parameter_is_worked_out_every_time(topic):
    _search(Client(), q="rye", utm="x")
    assert _search(Client(), q="rye", utm="x")[1] > 0
