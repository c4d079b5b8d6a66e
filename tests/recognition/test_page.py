"""The members' /challenges/ page and the card on the home page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hearth.templatetags.hearth_time import describe
from recognition.sections import challenges_card
from tests.factories import make_member
from tests.recognition.factories import make_challenge, warm_action

pytestmark = pytest.mark.django_db


def _day(offset: int) -> str:
    return describe(timezone.localdate() + timedelta(days=offset), "date")


def test_visitors_are_sent_to_sign_in(visitor_client):
    response = visitor_client.get("/challenges/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/challenges/"


def test_it_only_answers_reading(member_client):
    assert member_client.post("/challenges/").status_code == 405


def test_a_member_sees_each_active_challenge_with_progress_dates_and_reward(member_client, member):
    make_challenge(title="Answer 2 questions", goal=2, reward_points=20)
    make_challenge(title="Start a topic", action="topic", goal=1, reward_points=5)
    make_challenge(title="For old hands", audience="established")
    warm_action(member)

    response = member_client.get("/challenges/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Challenges</h1>" in html
    assert "Answer 2 questions" in html
    assert "Start a topic" in html
    assert "For old hands" not in html  # not their segment
    assert ">1 of 2</label>" in html
    assert ">0 of 1</label>" in html
    assert '<progress id="challenge-' in html and 'max="2" value="1"' in html
    assert f"{_day(-1)}</time> to" in html
    assert "Reward: 20 points" in html
    assert "Reward: 5 points" in html


def test_a_completed_challenge_says_so_with_what_was_earned(member_client, member, on_commit):
    make_challenge(goal=1, reward_points=20)
    with on_commit():
        warm_action(member)

    html = member_client.get("/challenges/").content.decode()

    assert ">Completed</label>" in html
    words = re.sub(r"<[^>]+>", "", html)  # the date is a <time> element
    assert f"Completed on {_day(0)}: you earned +20 points. Thank you!" in words


def test_with_no_challenge_it_says_so(member_client):
    html = member_client.get("/challenges/").content.decode()
    assert "No challenges for you right now." in html


def _challenge_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if '"recognition_challenge"' in q["sql"]]


def test_the_page_counts_all_progress_in_one_query(member_client, member):
    make_challenge()
    member_client.get("/challenges/")  # the day's audiences, cached until a challenge changes
    with CaptureQueriesContext(connection) as one:
        member_client.get("/challenges/")
    for n in range(5):
        make_challenge(title=f"Challenge {n}", action=["post", "topic", "chat"][n % 3])
        warm_action(member, ["post", "topic", "chat"][n % 3])
    member_client.get("/challenges/")
    with CaptureQueriesContext(connection) as six:
        response = member_client.get("/challenges/")

    assert response.content.decode().count("<progress") == 6
    assert len(_challenge_queries(six)) == 1
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_home_card_costs_one_query(member, django_assert_num_queries):
    for n in range(4):
        make_challenge(title=f"Challenge {n}")
    warm_action(member)
    request = RequestFactory().get("/")
    request.user = member
    challenges_card(request)  # learns (and caches for the day) which segments are in use

    with django_assert_num_queries(1):
        template, context = challenges_card(request)

    assert template == "recognition/_card.html"
    assert len(context["challenges"]) == 3
    assert context["more"] is True
    assert [c.progress for c in context["challenges"]] == [1, 1, 1]


def test_on_a_day_without_challenges_the_card_costs_members_nothing(
    member, django_assert_num_queries
):
    request = RequestFactory().get("/")
    request.user = member
    assert challenges_card(request)[1]["challenges"] == []

    with django_assert_num_queries(0):
        assert challenges_card(request)[1]["challenges"] == []
    # A new challenge shows at once: saving it forgets the cached "none today".
    make_challenge(title="Answer 2 questions")
    assert [c.title for c in challenges_card(request)[1]["challenges"]] == ["Answer 2 questions"]


def test_the_home_card_costs_visitors_nothing(django_assert_num_queries):
    make_challenge()
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        assert challenges_card(request) is None


def test_the_home_page_shows_the_card_to_members_only(member_client, visitor_client):
    make_challenge(title="Answer 2 questions")
    make_member(username="late", joined_days_ago=400)

    html = member_client.get("/").content.decode()
    assert "Your challenges" in html
    assert ">0 of 2</label>" in html
    assert 'href="/challenges/"' in html
    assert "Your challenges" not in visitor_client.get("/").content.decode()
