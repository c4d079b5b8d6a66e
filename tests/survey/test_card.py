"""The card on the home page and the answer flow without JavaScript."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from referrals.models import ReferralLink
from survey.models import Prompt, SurveyAnswer
from tests.factories import make_member

pytestmark = pytest.mark.django_db

QUESTION = "How likely are you to recommend us to a friend?"


def _client(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def _home_queries(client: Client) -> tuple[int, list[str], str]:
    client.get("/")  # warm: the session and the site's caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries), [q["sql"] for q in queries.captured_queries], response.content.decode()


def test_the_card_costs_one_query_on_the_home_page():
    too_new, _, html = _home_queries(_client(make_member(joined_days_ago=20)))
    assert QUESTION not in html
    eligible, sql, html = _home_queries(_client(make_member(joined_days_ago=40)))
    assert QUESTION in html
    assert eligible == too_new + 1
    assert sum("survey_prompt" in q for q in sql) == 1


def test_visitors_see_no_card_and_cost_no_query():
    count, sql, html = _home_queries(Client())
    assert QUESTION not in html
    assert not any("survey_" in q for q in sql)


def test_the_card_has_eleven_labelled_buttons():
    html = _client(make_member(joined_days_ago=40)).get("/").content.decode()
    assert html.count('name="score"') == 11
    assert 'aria-label="0 out of 10, not at all likely"' in html
    assert 'aria-label="10 out of 10, extremely likely"' in html
    assert "<legend" in html


def test_a_promoter_is_thanked_and_shown_their_invite_link():
    member = make_member(joined_days_ago=40)
    client = _client(member)

    response = client.post("/survey/answer/", {"score": "10", "next": "/"}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [("/survey/thanks/", 302)]
    assert "You said 10 out of 10." in html
    link = ReferralLink.objects.get(owner=member, target_path="")
    assert link.full_url in html
    assert 'data-copy="survey-invite-link"' in html
    assert "What is the main reason for your score?" in html
    answer = SurveyAnswer.objects.get(member=member)
    assert (answer.score, answer.asked_via) == (10, "site")
    assert Prompt.objects.get(member=member).outcome == Prompt.Outcome.ANSWERED
    # Answered: the card is gone from the home page.
    assert QUESTION not in client.get("/").content.decode()


def test_a_passive_is_asked_what_would_make_it_a_ten():
    member = make_member(joined_days_ago=40)
    client = _client(member)

    html = client.post("/survey/answer/", {"score": "7"}, follow=True).content.decode()

    assert "What would make it a 10?" in html
    assert "invite link" not in html.lower()
    response = client.post("/survey/reason/", {"reason": "  Faster search.  "}, follow=True)
    assert "Thank you: the team reads every answer." in response.content.decode()
    assert SurveyAnswer.objects.get(member=member).reason == "Faster search."


def test_a_detractor_is_thanked_without_a_referral_prompt():
    member = make_member(joined_days_ago=40)
    client = _client(member)

    html = client.post("/survey/answer/", {"score": "3"}, follow=True).content.decode()

    assert "We are sorry it is not better" in html
    assert "invite link" not in html.lower()
    assert not ReferralLink.objects.filter(owner=member).exists()
    client.post("/survey/reason/", {"reason": "Replies are slow."})
    assert SurveyAnswer.objects.get(member=member).reason == "Replies are slow."


@pytest.mark.parametrize("score", ["", "11", "-1", "ten", "3.5"])
def test_a_bad_score_is_a_message_and_records_nothing(score):
    member = make_member(joined_days_ago=40)
    response = _client(member).post("/survey/answer/", {"score": score}, follow=True)
    assert response.status_code == 200
    assert "Choose a score from 0 to 10." in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_an_empty_or_too_long_reason_says_so_and_keeps_the_score():
    member = make_member(joined_days_ago=40)
    client = _client(member)
    client.post("/survey/answer/", {"score": "8"})
    assert client.post("/survey/reason/", {"reason": "   "}).status_code == 400
    response = client.post("/survey/reason/", {"reason": "x" * 2001})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert SurveyAnswer.objects.get(member=member).score == 8


def test_a_member_not_yet_asked_cannot_answer():
    member = make_member(joined_days_ago=5)
    response = _client(member).post("/survey/answer/", {"score": "9"}, follow=True)
    assert "we will ask you later" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_not_now_hides_the_card_for_the_interval():
    member = make_member(joined_days_ago=40)
    client = _client(member)
    response = client.post("/survey/dismiss/", {"next": "/"}, follow=True)
    html = response.content.decode()
    assert "we will not ask again for a while" in html
    assert QUESTION not in html
    assert Prompt.objects.get(member=member).outcome == Prompt.Outcome.DISMISSED


def test_next_never_leaves_the_site():
    member = make_member(joined_days_ago=40)
    response = _client(member).post("/survey/dismiss/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_visitors_are_sent_to_sign_in():
    response = Client().post("/survey/answer/", {"score": "9"})
    assert response["Location"].startswith("/accounts/login/")


def test_get_on_the_answer_address_is_refused():
    member = make_member(joined_days_ago=40)
    assert _client(member).get("/survey/answer/").status_code == 405


def test_the_thanks_page_without_an_answer_goes_home():
    response = _client(make_member(joined_days_ago=40)).get("/survey/thanks/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_cards_forms_carry_a_working_csrf_token():
    member = make_member(joined_days_ago=40)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    html = client.get("/").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert token
    response = client.post("/survey/answer/", {"score": "9", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert SurveyAnswer.objects.get(member=member).score == 9


def test_a_reason_loses_bidi_overrides_and_zero_width_characters():
    member = make_member(joined_days_ago=40)
    client = _client(member)
    client.post("/survey/answer/", {"score": "8"})
    client.post("/survey/reason/", {"reason": "More \u202erecipes\u202c\u200b please"})
    assert SurveyAnswer.objects.get(member=member).reason == "More recipes please"
