"""Malformed addresses answer 400 or 404, never 500 (issue 9, finding 5).

Each case here was a 500 once: NUL bytes (PostgreSQL refuses them in text), digits that
``str.isdigit()`` accepts and ``int()`` refuses, numbers too long for ``int()`` or too
large for the database, months past the end of the calendar, and a few of Wagtail's own
views that trust their query strings.
"""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import Workflow

from community.forum.models import TopicTag
from tests.blog.factories import write_guide
from tests.chat.factories import make_message, make_room
from tests.factories import make_member
from tests.forum.factories import make_category, make_topic

pytestmark = pytest.mark.django_db

BAD_REQUEST_PAGE = "That request didn’t make sense to us"
DASHBOARD = "/admin/referrals/dashboard/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(make_member(username="root", is_superuser=True, is_staff=True))
    return client


# --- NUL bytes -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/members/a%00b/", "/forum/tags/a%00b/", "/a%00b/"])
def test_it_answers_400_for_a_nul_byte_in_the_path(visitor_client, member, path):
    TopicTag.objects.create(name="ab", slug="ab")
    response = visitor_client.get(path)
    assert response.status_code == 400
    assert BAD_REQUEST_PAGE in response.content.decode()


def test_it_answers_400_for_a_nul_byte_in_a_query_value(editor_client):
    for path in ["/admin/pages/search/?q=%00", "/admin/images/?q=a%00", "/search/?q=%00"]:
        assert editor_client.get(path).status_code == 400, path


def test_it_answers_400_for_a_nul_byte_in_a_query_key(visitor_client):
    assert visitor_client.get("/forum/?a%00b=1").status_code == 400


def test_it_answers_400_for_a_nul_byte_in_the_shared_path(member_client):
    response = member_client.get("/referrals/share/?path=/guides/%00/")
    assert response.status_code == 400


def test_wagtail_admin_listings_answer_400_for_a_nul_byte(superuser_client):
    for path in ["/admin/users/", "/admin/forum/tags/", "/admin/documents/", "/admin/pages/"]:
        assert superuser_client.get(f"{path}?q=%00").status_code == 400, path


# --- numbers in the query string ------------------------------------------------------------


@pytest.fixture
def room(member):
    room = make_room()
    make_message(room, member)
    return room


@pytest.mark.parametrize("before", ["²", "٣", "1_0", " 7", "9" * 5000, str(10**30), "-1"])
def test_the_chat_answers_400_for_a_before_that_is_not_a_plain_number(visitor_client, room, before):
    response = visitor_client.get(room.get_absolute_url(), {"before": before})
    assert response.status_code == 400
    assert BAD_REQUEST_PAGE in response.content.decode()


def test_the_chat_still_pages_back_with_a_plain_number(visitor_client, room, member):
    later = make_message(room, member, body="Later message")
    response = visitor_client.get(room.get_absolute_url(), {"before": str(later.pk)})
    assert response.status_code == 200
    assert "Later message" not in response.content.decode()


@pytest.mark.parametrize("quote", ["²", "٣", "9" * 5000, str(10**30)])
def test_the_reply_page_answers_400_for_a_quote_that_is_not_a_plain_number(
    member_client, member, quote
):
    topic = make_topic(author=member, category=make_category())
    response = member_client.get(f"/forum/t/{topic.pk}/reply/", {"quote": quote})
    assert response.status_code == 400


def test_odd_page_numbers_on_a_topic_still_redirect_to_page_one(visitor_client, member):
    topic = make_topic(author=member, category=make_category())
    for raw in ["²", "٣", "1_000", "x"]:
        response = visitor_client.get(topic.get_absolute_url(), {"page": raw})
        assert response.status_code == 302
        assert response["Location"] == topic.page_url(1)


@pytest.mark.parametrize("number", [str(2**63), str(10**30), "9" * 5000])
def test_a_number_too_large_for_the_database_answers_400_anywhere(
    visitor_client, superuser_client, number
):
    # SQLite raises OverflowError for these in lookups Django does not guard (Wagtail's
    # page filters, its API's OFFSET), and int() refuses more than 4,300 digits.
    assert visitor_client.get("/forum/", {"page": number}).status_code == 400
    assert superuser_client.get("/admin/pages/", {"content_type": number}).status_code == 400
    assert superuser_client.get("/admin/api/main/pages/", {"offset": number}).status_code == 400


def test_the_largest_number_the_database_holds_is_still_accepted(visitor_client):
    assert visitor_client.get("/forum/", {"page": str(2**63 - 1)}).status_code == 200


# --- months --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, words",
    [
        ("9999-12", "has not started yet"),
        ("2999-01", "has not started yet"),
        ("0000-01", "from 2000 on"),
        ("2026-13", "between 01 and 12"),
        ("٢٠٢٦-٠٤", "YYYY-MM"),
    ],
)
def test_the_dashboard_explains_a_period_it_cannot_show(editor_client, period, words):
    response = editor_client.get(DASHBOARD, {"period": period})
    assert response.status_code == 400
    assert words in response.content.decode()


def test_the_dashboard_csv_answers_400_for_the_last_month_of_the_calendar(editor_client):
    response = editor_client.get(DASHBOARD, {"period": "9999-12", "format": "csv"})
    assert response.status_code == 400


# --- ids in the path ------------------------------------------------------------------------


@pytest.mark.parametrize("pk", [10**30, 2**63])
def test_an_id_beyond_what_the_database_holds_is_not_found(member_client, member, pk):
    write_guide(member)
    assert member_client.get(f"/guides/{pk}/edit/").status_code == 404
    assert member_client.get(f"/guides/{pk}/preview/").status_code == 404


def test_the_largest_id_the_database_holds_is_still_looked_up(member_client):
    assert member_client.get(f"/guides/{2**63 - 1}/edit/").status_code == 404


def test_an_address_too_long_to_be_real_answers_400(visitor_client):
    # Wagtail's document view turns a 5,000-digit id into a ValueError deep in the ORM.
    assert visitor_client.get("/documents/" + "9" * 5000 + "/a.pdf").status_code == 400


def test_an_upload_name_longer_than_the_file_system_allows_is_not_found(visitor_client, settings):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    assert visitor_client.get("/media/" + "ü" * 300).status_code == 404


# --- Wagtail's admin views that trust their query strings ------------------------------------


@pytest.mark.parametrize("value", ["²", "x", "-1", str(10**30)])
def test_wagtail_link_choosers_answer_400_for_a_parent_page_that_is_not_an_id(editor_client, value):
    for kind in ["external", "email", "phone", "anchor"]:
        response = editor_client.get(f"/admin/choose-{kind}-link/", {"parent_page_id": value})
        assert response.status_code == 400, kind


def test_wagtail_link_choosers_still_work(editor_client):
    assert editor_client.get("/admin/choose-external-link/").status_code == 200
    response = editor_client.get("/admin/choose-external-link/", {"parent_page_id": "2"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "x", str(10**30)])
def test_wagtail_page_chooser_answers_400_for_ids_that_are_not_ids(editor_client, value):
    response = editor_client.get("/admin/choose-page/chosen-multiple/", {"id": ["2", value]})
    assert response.status_code == 400


def test_wagtail_page_chooser_still_returns_chosen_pages(editor_client):
    response = editor_client.get("/admin/choose-page/chosen-multiple/", {"id": ["2"]})
    assert response.status_code == 200


def test_the_workflow_editor_answers_400_or_404_for_a_page_number_it_cannot_show(
    superuser_client,
):
    workflow = Workflow.objects.first()
    url = f"/admin/workflows/edit/{workflow.pk}/"
    assert superuser_client.get(url, {"p": "²"}).status_code == 400
    assert superuser_client.get(url, {"p": "-1"}).status_code == 400
    assert superuser_client.get(url, {"p": "0"}).status_code == 404
    assert superuser_client.get(url, {"p": "99"}).status_code == 404
    assert superuser_client.get(url, {"p": "1"}).status_code == 200


@pytest.mark.parametrize("value", ["²", "x"])
def test_wagtail_choosers_answer_404_or_400_for_ids_that_are_not_ids(editor_client, value):
    for chooser in ["/admin/images/chooser", "/admin/documents/chooser"]:
        assert editor_client.get(f"{chooser}/chosen/{value}/").status_code == 404
        response = editor_client.get(f"{chooser}/chosen-multiple/", {"id": ["1", value]})
        assert response.status_code == 400
    assert editor_client.get("/admin/choose-page/", {"target_pages[]": value}).status_code == 400
    assert editor_client.get("/admin/api/main/pages/find/", {"id": value}).status_code == 400


def test_wagtail_choosers_still_choose(editor_client):
    assert editor_client.get("/admin/images/chooser/chosen/999/").status_code == 404
    assert editor_client.get("/admin/choose-page/", {"target_pages[]": "2"}).status_code == 200


def test_the_admin_login_answers_400_for_a_next_that_is_not_an_address(editor_client):
    # Wagtail redirects a signed-in editor to "next"; redirect() reads "x" as a view name.
    assert editor_client.get("/admin/login/", {"next": "x"}).status_code == 400
    response = editor_client.get("/admin/login/", {"next": "/admin/pages/"})
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
