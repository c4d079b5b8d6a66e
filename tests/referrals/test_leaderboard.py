from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from referrals import leaderboard
from referrals.models import ReferralScore
from referrals.periods import month_of
from tests.factories import make_member

pytestmark = pytest.mark.django_db
URL = "/leaderboard/"


def _score(member, converted, period=None):
    ReferralScore.objects.create(
        member=member, period=period or month_of().key, converted=converted
    )
    ReferralScore.objects.update_or_create(
        member=member, period="all", defaults={"converted": converted + 1}
    )


@pytest.fixture
def board():
    """ana 5, ben 5, cy 3, dee 2, eve 1 this month; fay 9 but suspended."""
    people = {}
    for name, converted in [("ana", 5), ("ben", 5), ("cy", 3), ("dee", 2), ("eve", 1)]:
        people[name] = make_member(username=name, display_name=name.capitalize())
        _score(people[name], converted)
    fay = make_member(username="fay", suspended_until=timezone.now() + timedelta(days=3))
    _score(fay, 9)
    people["fay"] = fay
    return people


def test_it_ranks_densely_with_ties_sharing_a_rank(board):
    rows = leaderboard.board(month_of().key)
    assert [(r.rank, r.member.username, r.converted) for r in rows] == [
        (1, "ana", 5),
        (1, "ben", 5),
        (2, "cy", 3),
        (3, "dee", 2),
        (4, "eve", 1),
    ]


def test_it_leaves_out_members_not_in_good_standing(board):
    assert "fay" not in [r.member.username for r in leaderboard.board(month_of().key)]
    assert leaderboard.standing(month_of().key, board["eve"]).of == 5


def test_it_tells_a_member_their_rank_and_what_it_takes_to_pass_the_next(board):
    standing = leaderboard.standing(month_of().key, board["dee"])
    assert (standing.rank, standing.of, standing.to_pass) == (3, 5, 2)
    top = leaderboard.standing(month_of().key, board["ana"])
    assert top.is_top and top.to_pass is None and top.tied_with == 1


def test_the_page_shows_the_board_and_the_members_standing(board):
    client = Client()
    client.force_login(board["dee"])
    content = client.get(URL).content.decode()
    assert (
        "you are <strong>#3 of 5</strong> — 2 more conversions to pass the next person" in content
    )
    assert content.index("Ana") < content.index("Ben") < content.index("Cy")
    assert "Fay" not in content


def test_a_tie_is_said_out_loud(board):
    client = Client()
    client.force_login(board["ben"])
    content = client.get(URL).content.decode()
    expected = "you are <strong>#1 of 5</strong> (tied with 1 other) — at the top of the board"
    assert expected in content


def test_a_member_without_conversions_is_told_how_to_get_on(board, member_client):
    content = member_client.get(URL).content.decode()
    assert "no converted referrals yet; 5 members on the board" in content


def test_the_all_time_board_uses_all_time_scores(board):
    client = Client()
    client.force_login(board["eve"])
    content = client.get(URL, {"period": "all"}).content.decode()
    assert "All time: you are <strong>#4 of 5</strong>" in content
    assert 'aria-current="page">All time' in content


def test_last_months_scores_are_not_this_months(member, member_client):
    _score(member, 4, period=month_of().previous().key)
    content = member_client.get(URL).content.decode()
    assert "Nobody is on the board this month yet" in content


def test_visitors_see_the_board_without_a_standing(board, visitor_client):
    response = visitor_client.get(URL)
    assert response.status_code == 200
    assert "you are" not in response.content.decode()


def test_an_unknown_period_shows_this_month(board, visitor_client):
    response = visitor_client.get(URL, {"period": "<script>"})
    assert response.status_code == 200
    assert month_of().label in response.content.decode()


def test_other_methods_are_405(visitor_client):
    assert visitor_client.post(URL).status_code == 405


def test_it_needs_at_most_eight_queries_however_many_members(board, django_assert_max_num_queries):
    for n in range(60):
        _score(make_member(), n % 7 + 1)
    client = Client()
    client.force_login(board["eve"])
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert "you are <strong>#7 of 65</strong>" in response.content.decode()
    with django_assert_max_num_queries(8):
        client.get(URL, {"period": "all"})
    with django_assert_max_num_queries(8):
        Client().get(URL)
