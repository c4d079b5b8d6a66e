"""The referral dashboard shows exactly the period it says: a month, a range of days or
all time, with the picker and heading agreeing and nonsense refused in words (issue 11)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from referrals.periods import Month, month_of
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/referrals/dashboard/"
FUNNEL = '<h2 id="funnel-heading">'


def _at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _get(client, **params):
    response = client.get(DASHBOARD, params)
    return response, response.content.decode()


# --- months --------------------------------------------------------------------------------


def test_an_old_month_is_named_in_the_heading_and_the_picker(editor_client, member):
    make_referral(referrer=member, created_at=_at(date(2024, 1, 10)))
    make_referral(referrer=member, created_at=_at(date(2024, 2, 10)))
    response, content = _get(editor_client, period="2024-01")
    assert response.status_code == 200
    assert "people who signed up in January 2024" in content
    assert 'name="period" value="2024-01"' in content
    assert "Sign-ups: 1." in content


def test_the_current_month_is_the_default_and_has_no_next_link(editor_client):
    current = month_of()
    response, content = _get(editor_client)
    assert response.status_code == 200
    assert f'name="period" value="{current.key}"' in content
    assert f"?period={current.previous().key}" in content
    assert f"?period={current.next().key}" not in content


def test_a_past_month_links_to_the_months_either_side(editor_client):
    month = month_of().previous().previous()
    _, content = _get(editor_client, period=month.key)
    assert f'href="?period={month.previous().key}"' in content
    assert f'href="?period={month.next().key}"' in content
    assert f"{month.next().label} →" in content


@pytest.mark.parametrize(
    "period,words",
    [
        ("2030-01", "2030-01 has not started yet"),
        ("2030-13", "2030-13 is not a month: the month must be between 01 and 12."),
        ("2026-00", "the month must be between 01 and 12"),
        ("abc", "Give the period as YYYY-MM, for example 2026-04, not “abc”."),
        ("1999-12", "1999-12 is before this site existed"),
        ("2026-1", "Give the period as YYYY-MM"),
        ("٢٠٢٦-٠١", "Give the period as YYYY-MM"),
    ],
)
def test_a_nonsense_month_is_refused_in_words_and_nothing_else_is_shown(
    editor_client, period, words
):
    response, content = _get(editor_client, period=period)
    assert response.status_code == 400
    assert words in content
    assert FUNNEL not in content  # no other month's figures passed off as this one
    assert "Showing" not in content


def test_a_nonsense_month_cannot_be_exported(editor_client):
    response = editor_client.get(DASHBOARD, {"period": "2030-01", "format": "csv"})
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("text/csv")


# --- ranges of days -------------------------------------------------------------------


def test_a_range_of_days_counts_only_those_days(editor_client, member):
    first = timezone.localdate() - timedelta(days=20)
    last = first + timedelta(days=4)
    make_referral(referrer=member, created_at=_at(first, 0))
    make_referral(referrer=member, created_at=_at(last, 23))
    make_referral(referrer=member, created_at=_at(last + timedelta(days=1), 1))
    make_referral(referrer=member, created_at=_at(first - timedelta(days=1), 23))
    response, content = _get(editor_client, **{"from": first.isoformat(), "to": last.isoformat()})
    assert response.status_code == 200
    assert "Sign-ups: 2." in content
    label = f"{first:%-d %b %Y} – {last:%-d %b %Y}"
    assert label in content
    assert f'name="from" value="{first.isoformat()}"' in content
    assert f'name="to" value="{last.isoformat()}"' in content
    csv = editor_client.get(
        DASHBOARD, {"from": first.isoformat(), "to": last.isoformat(), "format": "csv"}
    )
    assert (
        f"referral-dashboard-{first.isoformat()}-to-{last.isoformat()}.csv"
        in (csv["Content-Disposition"])
    )


def test_a_single_day_is_a_range(editor_client):
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    response, _ = _get(editor_client, **{"from": day, "to": day})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params,words",
    [
        ({"from": "2026-02-30", "to": "2026-03-05"}, "2026-02-30 is not a day in the calendar."),
        ({"from": "2026-03-01", "to": "tomorrow"}, "Give the last day as YYYY-MM-DD"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "The first day comes after the last day"),
        ({"from": "2024-01-01", "to": "2025-06-30"}, "at most 366 days"),
        ({"from": "2026-03-01"}, "Give both the first and the last day"),
        ({"to": "2026-03-01"}, "Give both the first and the last day"),
        ({"from": "1999-12-31", "to": "2000-01-02"}, "before this site existed"),
        ({"from": "2026-03-01", "to": "2099-01-01"}, "2099-01-01 has not come yet"),
        (
            {"period": "2026-03", "from": "2026-03-01", "to": "2026-03-05"},
            "Choose a month or a range of days, not both.",
        ),
    ],
)
def test_a_bad_range_is_refused_in_words(editor_client, params, words):
    response, content = _get(editor_client, **params)
    assert response.status_code == 400
    assert words in content
    assert FUNNEL not in content


def test_the_longest_range_is_allowed(editor_client):
    last = timezone.localdate()
    first = last - timedelta(days=365)
    response, _ = _get(editor_client, **{"from": first.isoformat(), "to": last.isoformat()})
    assert response.status_code == 200


# --- all time ------------------------------------------------------------------------------


def test_all_time_counts_every_referral_and_charts_months(editor_client, member):
    make_referral(referrer=member, created_at=_at(date(2024, 5, 2)))
    make_referral(referrer=member)
    response, content = _get(editor_client, period="all")
    assert response.status_code == 200
    assert "Sign-ups: 2." in content
    assert "people who signed up since the start" in content
    assert "Sign-ups and conversions per month" in content
    assert "May 2024" in content
    assert 'aria-current="page">All time<' in content
    csv = editor_client.get(DASHBOARD, {"period": "all", "format": "csv"})
    assert "referral-dashboard-all-time.csv" in csv["Content-Disposition"]


def test_all_time_before_any_referral_is_empty_not_broken(editor_client):
    response, content = _get(editor_client, period="all")
    assert response.status_code == 200
    assert "Sign-ups: 0." in content


# --- who may look ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,status",
    [("visitor_client", 302), ("member_client", 403), ("moderator_client", 403)],
)
def test_only_editors_see_any_period(request, persona, status):
    client = request.getfixturevalue(persona)
    for params in ({"period": "all"}, {"from": "2026-03-01", "to": "2026-03-05"}):
        assert client.get(DASHBOARD, params).status_code == status


def test_months_roll_over_the_year():
    assert Month(2025, 12).next() == Month(2026, 1)
    assert Month(2026, 1).previous() == Month(2025, 12)
