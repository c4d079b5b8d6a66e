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


# --- segments, response rate and reasons, from the database -------------------------------
#
# Members and answers (all in the last 12 months unless said):
#   new (joined 45 days ago):         A 10 "Friendly PEOPLE", B 9, C 3 "slow search"
#   established (joined 400 days):    D 8 "search could be better", E 6 "Search is slow",
#                                     F 0, G 10, J 7 (by email)
#   asked, no answer:                 H and I (emails sent), K (set the card aside)
#   outside the period:               L 0, 400 days ago
#
# All (n = 8): p = 3, passives 2, d = 3 → NPS 0; MoE = 1.96 × sqrt((3/8 + 3/8 − 0) / 8)
#   = 1.96 × 0.306186 = 60.01 points.
# New (n = 3): p = 2, d = 1 → 33.33; MoE = 1.96 × sqrt((1 − 1/9) / 3) = 106.69.
# Established (n = 5): p = 1, passives 2, d = 2 → −20; 1.96 × sqrt((0.6 − 0.04) / 5) = 65.59.
# Dormant = established here (nobody visited). Promoters (A, B, G): 100 ± 0.
# Detractors (C, E, F): −100 ± 0.
# Response rate: asked 11 (8 answers, K's set-aside, H's and I's emails), answered 8
#   → 72.7 %; emails 1 answered of 3 → 33.3 %.


@pytest.fixture
def answers_set(db):
    from survey.models import Prompt
    from tests.survey.factories import make_email_round

    def member(name: str, joined: int):
        return make_member(username=name, joined_days_ago=joined)

    for name, score, reason in (
        ("a", 10, "Friendly PEOPLE"),
        ("b", 9, ""),
        ("c", 3, "slow search"),
    ):
        make_answer(member(name, 45), score, days_ago=1, reason=reason)
    for name, score, reason in (
        ("d", 8, "search could be better"),
        ("e", 6, "Search is slow"),
        ("f", 0, ""),
        ("g", 10, ""),
    ):
        make_answer(member(name, 400), score, days_ago=2, reason=reason)
    make_email_round(member("j", 400), answered=7, days_ago=3)
    make_email_round(member("h", 400), days_ago=3)
    make_email_round(member("i", 400), days_ago=3)
    Prompt.objects.create(member=member("k", 400), kind="survey", outcome="dismissed")
    make_answer(member("l", 800), 0, days_ago=400)


def _by_key(keys):
    from community import segments

    return [segments.get(key) for key in keys]


@pytest.mark.django_db
def test_segments_side_by_side_match_the_hand_computed_set(answers_set):
    now = timezone.now()
    answers = dashboard.answers_since(dashboard.period_start("365", now))
    keys = ["new", "established", "dormant", "promoters", "detractors"]

    new, established, dormant, promoters, detractors = dashboard.by_segment(
        answers, _by_key(keys), now=now
    )

    total = dashboard.monthly_report(answers).total
    assert (total.responses, total.promoters, total.passives, total.detractors) == (8, 3, 2, 3)
    assert total.score == pytest.approx(0.0)
    assert total.margin == pytest.approx(60.012, abs=0.001)
    assert (new.responses, new.promoters, new.passives, new.detractors) == (3, 2, 0, 1)
    assert new.score == pytest.approx(33.333, abs=0.001)
    assert new.margin == pytest.approx(106.689, abs=0.001)
    assert (established.responses, established.passives) == (5, 2)
    assert established.score == pytest.approx(-20.0)
    assert established.margin == pytest.approx(65.594, abs=0.001)
    assert dormant == dashboard.Figures("Dormant members", 5, 1, 2, 2)
    assert (promoters.responses, promoters.score, promoters.margin) == (3, 100.0, 0.0)
    assert (detractors.responses, detractors.score, detractors.margin) == (3, -100.0, 0.0)
    rest = dashboard.everyone_else(total, new)
    assert (rest.responses, rest.score) == (5, pytest.approx(-20.0))


@pytest.mark.django_db
def test_the_response_rate_matches_the_hand_computed_set(answers_set):
    rate = dashboard.response_rate(dashboard.period_start("365", timezone.now()))
    assert (rate.asked, rate.answered, rate.emailed, rate.email_answered) == (11, 8, 3, 1)
    assert rate.rate == pytest.approx(72.727, abs=0.001)
    assert rate.email_rate == pytest.approx(33.333, abs=0.001)
    everything = dashboard.response_rate(None)
    assert (everything.asked, everything.answered) == (12, 9)
    assert dashboard.response_rate(timezone.now()).rate is None  # nobody asked: no rate


@pytest.mark.django_db
def test_the_reasons_are_searchable_in_any_case_and_by_group(answers_set):
    answers = dashboard.answers_since(None)

    def found(**kwargs):
        return sorted(a.reason for a in dashboard.reasons(answers, **kwargs))

    assert found(text="SEARCH") == ["Search is slow", "search could be better", "slow search"]
    assert found(text="search", group="passive") == ["search could be better"]
    assert found(group="promoter") == ["Friendly PEOPLE"]
    assert found(text="people") == ["Friendly PEOPLE"]
    assert found(text="nothing like it") == []


@pytest.mark.django_db
def test_the_dashboard_shows_the_rate_the_segments_and_a_picked_segment(answers_set, editor_client):
    html = editor_client.get("/admin/survey/?segment=new").content.decode()

    assert "72.7%" in html and "(8 of 11)" in html
    assert "33.3% (1 of 3 sent)" in html
    assert "New members and everyone else" in html
    assert "Not in new members" in html
    assert "106.7" in html
    assert "Dormant members" in html and "Promoters" in html and "Detractors" in html


@pytest.mark.django_db
def test_the_reason_search_on_the_page(answers_set, editor_client):
    html = editor_client.get("/admin/survey/?q=SEARCH&group=detractor").content.decode()
    reasons = html.split('id="reasons-heading"')[1]
    assert "slow search" in reasons and "Search is slow" in reasons
    assert "search could be better" not in reasons
    assert 'value="SEARCH"' in html


@pytest.mark.django_db
def test_nonsense_filters_fall_back_to_the_defaults(answers_set, editor_client):
    response = editor_client.get(
        "/admin/survey/?period=forever&segment=nope&group=x&q=" + "y" * 500
    )
    assert response.status_code == 200
    assert "(8 of 11)" in response.content.decode()


@pytest.mark.django_db
def test_the_period_changes_what_is_counted(answers_set, editor_client):
    html = editor_client.get("/admin/survey/?period=all").content.decode()
    assert "(9 of 12)" in html


@pytest.mark.django_db
def test_the_csv_has_a_row_per_segment(answers_set, editor_client):
    csv = editor_client.get("/admin/survey/?format=csv").content.decode()
    assert "New members,3,2,0,1,33.3,106.7" in csv
    assert "All answers,8,3,2,3,0.0,60.0" in csv


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["", "?segment=new", "?q=search&group=detractor&period=all", "?format=csv"]
)
def test_each_dashboard_view_costs_a_fixed_number_of_queries(
    answers_set, editor_client, django_assert_num_queries, query
):
    editor_client.get("/admin/survey/" + query)  # warm: the session, caches
    extra = make_member(username="late", joined_days_ago=45)
    make_answer(extra, 4, reason="search is late")  # more rows, same number of queries
    kind = "csv" if "csv" in query else "page"
    with django_assert_num_queries(DASHBOARD_QUERIES[kind]) as queries:
        response = editor_client.get("/admin/survey/" + query)
    assert response.status_code == 200
    own = [q["sql"] for q in queries.captured_queries if '"survey_' in q["sql"]]
    assert len(own) == SURVEY_QUERIES[kind], own


# The survey's own work: the months (the total is their sum), every segment in one query,
# and for the page the response rate and the reasons.
SURVEY_QUERIES = {"page": 4, "csv": 2}
# Plus what every Wagtail admin screen costs an editor: the session, the user, their
# permissions (two), their admin profile and groups; and the page's admin frame (the
# bell's count, the locale, page and collection permissions, the explorer's root).
DASHBOARD_QUERIES = {"page": 14, "csv": 8}


@pytest.mark.django_db
def test_promoters_and_detractors_go_by_the_latest_answer_of_the_year():
    from community import segments

    changed_mind = make_member(joined_days_ago=800)
    make_answer(changed_mind, 10, days_ago=200)
    make_answer(changed_mind, 3, days_ago=10)
    long_ago = make_member(joined_days_ago=800)
    make_answer(long_ago, 10, days_ago=400)
    happy = make_member(joined_days_ago=800)
    make_answer(happy, 2, days_ago=300)
    make_answer(happy, 9, days_ago=5)

    assert list(segments.members("promoters")) == [happy]
    assert list(segments.members("detractors")) == [changed_mind]
