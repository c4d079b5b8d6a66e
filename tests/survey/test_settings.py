"""Editors set the survey's numbers in the admin; empty fields keep the site defaults;
eligibility reads them through one cached read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from survey import actions
from survey.models import SurveySettings
from tests.factories import make_editor, make_member, make_moderator

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/admin/settings/survey/surveysettings/"
QUESTION = "How likely are you to recommend us to a friend?"


def _form(**values) -> dict[str, str]:
    data = {"min_member_days": "", "every_days": "", "contact_gap_days": ""}
    data.update({k: str(v) for k, v in values.items()})
    return data


def test_editors_change_the_numbers_and_they_apply_at_once(editor_client):
    member = make_member(joined_days_ago=11)
    assert not actions.may_ask(member)  # the default is 30 days (now cached)

    page = editor_client.get(SETTINGS_URL, follow=True)
    assert page.status_code == 200
    assert "Ask members after (days)" in page.content.decode()
    saved = editor_client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else SETTINGS_URL,
        _form(min_member_days=10),
        follow=True,
    )

    assert saved.status_code == 200
    assert SurveySettings.objects.get().min_member_days == 10
    assert actions.rules().min_member_days == 10
    assert actions.may_ask(member)


def test_empty_fields_keep_the_site_defaults(settings):
    settings.SURVEY_EVERY_DAYS = 45
    SurveySettings.objects.create(min_member_days=7)
    numbers = actions.rules()
    assert (numbers.min_member_days, numbers.every_days, numbers.contact_gap_days) == (7, 45, 14)
    assert numbers.ask_staff is False


def test_without_a_saved_row_the_settings_decide(settings):
    settings.SURVEY_CONTACT_GAP_DAYS = 3
    assert actions.rules().contact_gap_days == 3
    assert not SurveySettings.objects.exists()  # reading never creates the row


def test_staff_are_not_asked_unless_editors_say_so():
    moderator = make_moderator(joined_days_ago=400)
    editor = make_editor(joined_days_ago=400)
    assert "staff" in (actions.why_not_ask(moderator) or "")
    assert not actions.may_ask(editor)

    SurveySettings.objects.create(ask_staff=True)

    assert actions.may_ask(moderator) and actions.may_ask(editor)


def test_the_settings_cost_no_query_once_read():
    SurveySettings.objects.create(min_member_days=5)
    actions.rules()
    with CaptureQueriesContext(connection) as queries:
        assert actions.rules().min_member_days == 5
    assert len(queries) == 0


def test_the_card_still_costs_one_query_with_saved_settings():
    SurveySettings.objects.create(min_member_days=5, every_days=60)
    client = Client()
    client.force_login(make_member(joined_days_ago=6))
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert QUESTION in html
    survey_sql = [q["sql"] for q in queries.captured_queries if "survey_prompt" in q["sql"]]
    assert len(survey_sql) == 1, survey_sql


def test_members_and_moderators_cannot_open_the_settings(member_client, moderator_client):
    for client in (member_client, moderator_client):
        response = client.get(SETTINGS_URL, follow=True)
        assert "Ask members after (days)" not in response.content.decode()
        assert response.status_code == 403 or response.redirect_chain
    assert Client().get(SETTINGS_URL)["Location"].startswith("/admin/login/")


def test_a_moderator_cannot_post_new_numbers(moderator_client):
    moderator_client.post(SETTINGS_URL, _form(min_member_days=1), follow=True)
    assert not SurveySettings.objects.filter(min_member_days=1).exists()
