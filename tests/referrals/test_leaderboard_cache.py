"""The leaderboard is kept whole for visitors (referrals.leaderboard): the next visitor
reads no rows, yet a score, a name or a suspension shows at once; members get their own
page with their standing, never the kept one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.actions import _bump_score
from referrals.models import ReferralScore
from referrals.periods import ALL_TIME, month_of
from tests.factories import make_member

pytestmark = pytest.mark.django_db
URL = "/leaderboard/"


def _board(client, url: str = URL) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


@pytest.fixture
def ana():
    ana = make_member(username="ana", display_name="Ana")
    ReferralScore.objects.create(member=ana, period=month_of().key, converted=2)
    return ana


def test_the_next_visitor_reads_no_rows(ana):
    first, queries = _board(Client())
    assert queries > 0 and "Ana" in first
    assert _board(Client()) == (first, 0)
    all_time, queries = _board(Client(), URL + "?period=all")  # a page of its own
    assert queries > 0 and "Ana" not in all_time
    assert _board(Client(), URL + "?utm=x")[1] > 0  # unknown parameters: worked out


def test_a_visitor_sees_points_names_and_suspensions_at_once(ana):
    visitor = Client()
    _board(visitor)
    _bump_score(ana.pk, month_of().key, 3, timezone.now())  # an update: no signal
    assert "<td>5</td>" in _board(visitor)[0]
    ben = make_member(username="ben", display_name="Ben")
    ReferralScore.objects.create(member=ben, period=month_of().key, converted=9)
    page, _ = _board(visitor)
    assert page.index("Ben") < page.index("Ana")
    ana.display_name = "Ana Maria"
    ana.save(update_fields=["display_name"])
    assert "Ana Maria" in _board(visitor)[0]
    ben.suspended_until = timezone.now() + timedelta(days=2)
    ben.save(update_fields=["suspended_until"])
    assert "Ben" not in _board(visitor)[0]
    ReferralScore.objects.filter(member=ana, period=month_of().key).delete()
    assert "Ana" not in _board(visitor)[0]


def test_the_all_time_board_follows_its_scores(ana):
    _board(Client(), URL + "?period=all")
    _bump_score(ana.pk, ALL_TIME, 4, timezone.now())
    assert "Ana" in _board(Client(), URL + "?period=all")[0]


def test_a_member_gets_their_own_standing_not_the_kept_page(ana, member_client):
    _board(Client())
    page, queries = _board(member_client)
    assert queries > 0 and "Invite friends" in page and "Sign out" in page
    assert "Sign out" not in _board(Client())[0]
