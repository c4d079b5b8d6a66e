"""The NPS numbers against a hand-computed set, and who may open the dashboard."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from survey import dashboard
from tests.factories import make_member
from tests.survey.factories import make_answer

# January: 10, 9, 8, 6 → 2 promoters, 1 passive, 1 detractor (n = 4)
# February: 10, 10, 9, 7, 3, 0 → 3 promoters, 1 passive, 2 detractors (n = 6)
JANUARY = [(datetime(2026, 1, 5, 12), s) for s in (10, 9, 8, 6)]
FEBRUARY = [(datetime(2026, 2, 9, 12), s) for s in (10, 10, 9, 7, 3, 0)]


def test_the_numbers_match_the_hand_computed_set():
    data = dashboard.report(FEBRUARY + JANUARY)

    total = data.total
    # All: p = 5/10, d = 3/10 → NPS 20.
    # MoE = sqrt((0.5 + 0.3 − 0.2²) / 10) × 1.96 = sqrt(0.076) × 1.96 = 0.54033 → 54.03 points.
    assert (total.responses, total.promoters, total.passives, total.detractors) == (10, 5, 2, 3)
    assert total.score == pytest.approx(20.0)
    assert total.margin == pytest.approx(54.033, abs=0.001)

    january, february = data.months
    # January: p = 0.5, d = 0.25 → 25; sqrt((0.75 − 0.0625) / 4) × 1.96 = 0.81257 → 81.26.
    assert january.label == "2026-01"
    assert january.score == pytest.approx(25.0)
    assert january.margin == pytest.approx(81.257, abs=0.001)
    # February: p = 1/2, d = 1/3 → 16.67; sqrt((5/6 − 1/36) / 6) × 1.96 = 0.71817 → 71.82.
    assert february.label == "2026-02"
    assert february.score == pytest.approx(16.667, abs=0.001)
    assert february.margin == pytest.approx(71.817, abs=0.001)


def test_all_promoters_have_no_spread_and_no_answers_have_no_score():
    everyone = dashboard.figures("x", [10, 9, 10])
    assert everyone.score == pytest.approx(100.0) and everyone.margin == pytest.approx(0.0)
    nobody = dashboard.figures("x", [])
    assert nobody.score is None and nobody.margin is None


def test_the_csv_has_each_month_and_the_total():
    lines = dashboard.as_csv(dashboard.report(JANUARY + FEBRUARY)).splitlines()
    assert lines[0] == "period,responses,promoters,passives,detractors,nps,margin_of_error"
    assert lines[1] == "2026-01,4,2,1,1,25.0,81.3"
    assert lines[2] == "2026-02,6,3,1,2,16.7,71.8"
    assert lines[3] == "All answers,10,5,2,3,20.0,54.0"


@pytest.mark.django_db
def test_editors_see_the_score_chart_and_csv(editor_client):
    for score in (10, 9, 3):
        make_answer(make_member(joined_days_ago=60), score)

    response = editor_client.get("/admin/survey/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "33.3" in html  # (2 − 1) / 3
    assert "<svg" in html and "Net promoter score by month" in html
    csv = editor_client.get("/admin/survey/?format=csv")
    month = timezone.localtime().strftime("%Y-%m")
    assert csv["Content-Type"].startswith("text/csv")
    assert f"{month},3,2,0,1,33.3," in csv.content.decode()


@pytest.mark.django_db
def test_moderators_may_open_the_dashboard(moderator_client):
    response = moderator_client.get("/admin/survey/")
    assert response.status_code == 200
    assert "No answers yet." in response.content.decode()


@pytest.mark.django_db
def test_members_and_visitors_never_see_the_dashboard(member_client, visitor_client):
    for url in ("/admin/survey/", "/admin/survey/?format=csv"):
        refused = member_client.get(url)
        assert refused.status_code == 403  # members never hold admin access
        assert b"Net promoter" not in refused.content and b"period," not in refused.content
        assert visitor_client.get(url)["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_the_dashboard_is_get_only(editor_client):
    assert editor_client.post("/admin/survey/").status_code == 405
