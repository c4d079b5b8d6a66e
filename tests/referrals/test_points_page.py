"""/points/: the member's balance and ledger in plain words, alike small rows of a day on
one line, reversals said plainly, paginated, for members only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals import points
from referrals.models import PointsEntry
from referrals.views import POINTS_LINES_PER_PAGE

pytestmark = pytest.mark.django_db

URL = "/points/"


def _entry(member, key: str, amount: int, reason: str, **kwargs) -> PointsEntry:
    return PointsEntry.objects.create(
        member=member, amount=amount, reason=reason, idempotency_key=key, **kwargs
    )


def _chat(member, n: int, *, when=None) -> PointsEntry:
    return _entry(
        member,
        f"chat:chat.chatmessage:{n}",
        1,
        "A chat message",
        created_at=when or timezone.now(),
    )


def _solution(member, n: int = 1) -> PointsEntry:
    return _entry(
        member,
        f"solution:forum.post:{n}",
        30,
        "Your reply in “Rye starter smells of nail varnish” was marked as the solution",
    )


def _lines(html: str) -> list[str]:
    """The ledger's lines as a reader sees them (tags dropped, spaces collapsed)."""
    import re

    ledger = html[html.index('<ul class="ledger">') :]
    ledger = ledger[: ledger.index("</ul>")]
    items = re.findall(r"<li[^>]*>(.*?)</li>", ledger, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_it_sends_visitors_to_sign_in(visitor_client):
    response = visitor_client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/points/")


def test_it_answers_only_get(member_client):
    assert member_client.post(URL).status_code == 405


def test_it_shows_the_balance_and_each_line_in_plain_words(member, member_client):
    _solution(member)
    html = member_client.get(URL).content.decode()
    assert '<span class="points-balance__value">30</span> points' in html
    (line,) = _lines(html)
    assert line.startswith(
        "+30 Your reply in “Rye starter smells of nail varnish” was marked as the solution"
    )


def test_it_collapses_many_small_rows_of_one_action_and_day(member, member_client):
    for n in range(12):
        _chat(member, n)
    for n in range(12, 15):
        _chat(member, n, when=timezone.now() - timedelta(days=1))
    _solution(member)
    lines = _lines(member_client.get(URL).content.decode())
    assert lines[0].startswith("+30 Your reply in")
    assert lines[1] == "+1 × 12 chat messages today (12 points)"
    assert lines[2] == "+1 × 3 chat messages yesterday (3 points)"
    assert len(lines) == 3


def test_a_single_small_row_keeps_its_own_words(member, member_client):
    _chat(member, 1)
    (line,) = _lines(member_client.get(URL).content.decode())
    assert line.startswith("+1 A chat message")


def test_a_reversal_says_what_it_takes_back(member, member_client):
    entry = _solution(member)
    points.reverse(entry=entry, reason="The solution mark in “Rye starter” was removed")
    html = member_client.get(URL).content.decode()
    assert '<span class="points-balance__value">0</span> points' in html
    taken, given = _lines(html)
    assert taken.startswith("−30 Taken back: The solution mark in “Rye starter” was removed")
    assert "This takes back: Your reply in “Rye starter smells of nail varnish”" in taken
    assert given.startswith("+30 Your reply in")


def test_reversed_small_rows_are_not_collapsed_with_the_others(member, member_client):
    rows = [_chat(member, n) for n in range(3)]
    points.reverse(entry=rows[0], reason="The contribution was removed")
    lines = _lines(member_client.get(URL).content.decode())
    assert [line.split()[0] for line in lines] == ["−1", "+1"]
    assert lines[1].startswith("+1 × 3 chat messages today")


def test_it_pages_the_ledger_and_forgives_a_bad_page_number(member, member_client):
    for n in range(POINTS_LINES_PER_PAGE + 3):
        _solution(member, n)
    first = member_client.get(URL).content.decode()
    assert len(_lines(first)) == POINTS_LINES_PER_PAGE
    assert "Page 1 of 2" in first
    second = member_client.get(URL, {"page": 2}).content.decode()
    assert len(_lines(second)) == 3
    for bad in ("abc", "999", "-1", "0", ""):
        assert member_client.get(URL, {"page": bad}).status_code == 200
    # beyond what the database's integers hold: the site's answer to any such number
    assert member_client.get(URL, {"page": "1" * 40}).status_code == 400


def test_a_member_sees_only_their_own_points(member, other_member, member_client):
    _solution(other_member)
    html = member_client.get(URL).content.decode()
    assert '<span class="points-balance__value">0</span> points' in html
    assert "Rye starter" not in html
    assert "No points yet" in html


def test_it_lists_what_earns_points(member_client):
    html = member_client.get(URL).content.decode()
    assert "A reply marked as the solution: 30 points" in html


def test_it_is_linked_from_the_referrals_page_and_the_menu(member_client):
    assert 'href="/points/"' in member_client.get("/referrals/").content.decode()
    assert 'href="/points/">My points</a>' in member_client.get("/forum/").content.decode()


def test_the_page_costs_the_same_queries_for_a_short_and_a_long_ledger(
    member, member_client, django_assert_num_queries
):
    _solution(member, 0)
    _chat(member, 0)
    _chat(member, 1)
    member_client.get(URL)  # the rules, the trust level and the visit day are cached now
    with django_assert_num_queries(QUERIES):
        member_client.get(URL)
    for n in range(1, 60):
        _solution(member, n)
    for n in range(2, 80):
        _chat(member, n, when=timezone.now() - timedelta(days=n % 5))
    reversed_one = PointsEntry.objects.get(idempotency_key="solution:forum.post:1")
    points.reverse(entry=reversed_one, reason="The contribution was removed")
    with django_assert_num_queries(QUERIES):
        response = member_client.get(URL, {"page": 2})
    assert len(_lines(response.content.decode())) == POINTS_LINES_PER_PAGE


# The session and the member; the page's four: the balance, the count of lines, the
# lines and their rows; the base template's one: the member's groups (the bell's count is kept).
QUERIES = 7


def test_it_leads_to_the_badges_and_the_members_challenges(member_client):
    html = member_client.get("/points/").content.decode()
    assert 'href="/badges/"' in html
    assert 'href="/challenges/"' in html
    assert member_client.get("/badges/").status_code == 200
    assert member_client.get("/challenges/").status_code == 200
