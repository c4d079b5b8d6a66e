from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from referrals.models import Award, AwardRun, ReferralScore, ThankYouTask
from referrals.periods import month_of
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _score(username, converted, period, **kwargs):
    member = make_member(username=username, display_name=username.capitalize(), **kwargs)
    ReferralScore.objects.create(member=member, period=period, converted=converted)
    return member


def _award(*args) -> str:
    out = io.StringIO()
    call_command("award_top_recommenders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def last_month():
    return month_of().previous()


@pytest.fixture
def scores(last_month):
    """ana 8, ben 8, cy 5, dee 3, eve 3, fox 1 last month."""
    key = last_month.key
    return {
        name: _score(name, n, key)
        for name, n in [("ana", 8), ("ben", 8), ("cy", 5), ("dee", 3), ("eve", 3), ("fox", 1)]
    }


def test_it_awards_the_top_three_ranks_ties_included(scores, last_month):
    output = _award()
    awards = list(Award.objects.order_by("rank", "member__username"))
    assert [(a.rank, a.member.username, a.converted) for a in awards] == [
        (1, "ana", 8),
        (1, "ben", 8),
        (2, "cy", 5),
        (3, "dee", 3),
        (3, "eve", 3),
    ]
    assert all(a.period == last_month.key for a in awards)
    assert "Top recommenders of" in output and "#1 ana (8)" in output


def test_it_notifies_the_winners_and_opens_a_thank_you_task_each(scores, editor):
    _award()
    for name in ("ana", "ben", "cy", "dee", "eve"):
        assert scores[name].notifications.filter(kind="referral_award").exists()
    assert not scores["fox"].notifications.exists()
    tasks = ThankYouTask.objects.filter(kind="award")
    assert sorted(t.member.username for t in tasks) == ["ana", "ben", "cy", "dee", "eve"]
    assert all(t.award is not None and not t.is_sent for t in tasks)
    assert editor.notifications.filter(kind="referral_award_staff").count() == 1
    assert ModelLogEntry.objects.filter(action="hearth.referrals.award").count() == 1


def test_running_it_again_changes_nothing(scores, last_month):
    _award()
    # a late approval changes the scores, but the month's award set is final
    ReferralScore.objects.filter(member=scores["fox"]).update(converted=50)
    output = _award("--period", last_month.key)
    assert "already awarded" in output
    assert Award.objects.count() == 5
    assert AwardRun.objects.count() == 1
    assert ThankYouTask.objects.count() == 5
    assert scores["ana"].notifications.filter(kind="referral_award").count() == 1


def test_it_leaves_out_members_not_in_good_standing(last_month):
    _score("ana", 9, last_month.key, is_active=False)
    _score("ben", 2, last_month.key)
    _award()
    assert [a.member.username for a in Award.objects.all()] == ["ben"]


def test_a_month_without_conversions_has_no_awards(last_month):
    output = _award()
    assert "no awards" in output
    assert AwardRun.objects.get(period=last_month.key).winners == 0
    assert not Award.objects.exists()


def test_it_takes_a_given_month(scores):
    older = month_of().previous().previous()
    _score("zed", 4, older.key)
    _award("--period", older.key)
    assert [(a.member.username, a.period) for a in Award.objects.all()] == [("zed", older.key)]


@pytest.mark.parametrize(
    "period,words",
    [
        ("2026-13", "between 01 and 12"),
        ("May 2026", "YYYY-MM"),
        ("1999-12", "from 2000 on"),
        ("", "YYYY-MM"),
    ],
)
def test_it_refuses_a_bad_period(period, words):
    with pytest.raises(CommandError, match=words):
        _award("--period", period)


def test_it_refuses_a_month_that_has_not_ended():
    with pytest.raises(CommandError, match="has not ended yet"):
        _award("--period", month_of().key)


# --- hall of fame ----------------------------------------------------------------------


def test_the_hall_of_fame_shows_each_months_winners(scores, last_month, visitor_client):
    _award()
    response = visitor_client.get("/hall-of-fame/")
    assert response.status_code == 200
    content = response.content.decode()
    assert last_month.label in content
    for name in ("Ana", "Ben", "Cy", "Dee", "Eve"):
        assert name in content
    assert "Fox" not in content


def test_the_hall_of_fame_is_empty_before_the_first_awards(visitor_client):
    assert (
        "The first top recommenders are chosen"
        in visitor_client.get("/hall-of-fame/").content.decode()
    )


def test_the_hall_of_fame_refuses_other_methods(visitor_client):
    assert visitor_client.post("/hall-of-fame/").status_code == 405


def test_the_hall_of_fame_query_count_is_flat(
    scores, visitor_client, django_assert_max_num_queries
):
    _award()
    with django_assert_max_num_queries(4):
        visitor_client.get("/hall-of-fame/")
    assert not mail.outbox
