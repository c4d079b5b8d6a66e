"""Who is asked and when: age, the 90-day interval, the 14-day contact gap, suspension."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from survey import actions
from survey.models import Prompt
from tests.factories import make_member
from tests.survey.factories import make_answer

pytestmark = pytest.mark.django_db


def test_it_asks_a_member_of_thirty_days():
    assert actions.may_ask(make_member(joined_days_ago=31))


def test_it_does_not_ask_a_newer_member():
    member = make_member(joined_days_ago=29)
    assert not actions.may_ask(member)
    assert "a while" in actions.why_not_ask(member)


def test_it_asks_at_most_once_per_ninety_days():
    member = make_member(joined_days_ago=400)
    make_answer(member, 8, days_ago=89)
    assert not actions.may_ask(member)


def test_it_asks_again_after_ninety_days():
    member = make_member(joined_days_ago=400)
    make_answer(member, 8, days_ago=91)
    assert actions.may_ask(member)


def test_a_dismissal_counts_as_the_prompt():
    member = make_member(joined_days_ago=400)
    actions.dismiss_survey(member=member)
    assert not actions.may_ask(member)
    assert Prompt.objects.get(member=member).outcome == Prompt.Outcome.DISMISSED


def test_it_never_asks_within_fourteen_days_of_another_prompt():
    member = make_member(joined_days_ago=400)
    # Another kind of ask (an invite nudge, a challenge) shares the contact budget.
    Prompt.objects.create(
        member=member,
        kind="invite",
        outcome=Prompt.Outcome.DISMISSED,
        created_at=timezone.now() - timedelta(days=13),
    )
    assert "something else" in actions.why_not_ask(member)
    Prompt.objects.filter(member=member).update(created_at=timezone.now() - timedelta(days=15))
    assert actions.may_ask(member)


def test_it_never_asks_a_suspended_member():
    member = make_member(joined_days_ago=400, suspended_until=timezone.now() + timedelta(days=1))
    assert not actions.may_ask(member)
    with pytest.raises(actions.SurveyError):
        actions.answer_survey(member=member, score=9)


def test_the_numbers_are_settings(settings):
    settings.SURVEY_MIN_MEMBER_DAYS = 10
    settings.SURVEY_EVERY_DAYS = 30
    member = make_member(joined_days_ago=11)
    assert actions.may_ask(member)
    make_answer(member, 9, days_ago=31)
    assert actions.may_ask(member)


def test_nonsense_settings_fall_back_to_the_defaults(settings):
    settings.SURVEY_MIN_MEMBER_DAYS = "soon"
    assert actions.rules().min_member_days == 30


def test_a_second_answer_in_the_interval_is_refused():
    member = make_member(joined_days_ago=400)
    actions.answer_survey(member=member, score=9)
    with pytest.raises(actions.SurveyError) as caught:
        actions.answer_survey(member=member, score=3)
    assert caught.value.code == "not_asked"


@pytest.mark.parametrize("score", [-1, 11, True, "7"])
def test_scores_outside_zero_to_ten_are_refused(score):
    with pytest.raises(actions.SurveyError):
        actions.answer_survey(member=make_member(joined_days_ago=400), score=score)


def test_detractors_get_no_referral_prompt_for_ninety_days():
    detractor = make_member(joined_days_ago=400)
    make_answer(detractor, 6, days_ago=10)
    assert not actions.may_ask_for_referrals(detractor)
    earlier = make_member(joined_days_ago=400)
    make_answer(earlier, 2, days_ago=91)
    assert actions.may_ask_for_referrals(earlier)
    passive = make_member(joined_days_ago=400)
    make_answer(passive, 7)
    assert actions.may_ask_for_referrals(passive)
