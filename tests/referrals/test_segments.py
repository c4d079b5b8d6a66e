"""The referral hub's segments, and the dashboard split by segment and period with a CSV
of a segment's members for the brand (issue 12)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import segments
from referrals.models import Invite, PointsEntry, Referral, ReferralScore, Status
from referrals.periods import month_of
from tests.factories import make_member
from tests.referrals.factories import converted_referral, link_for, make_referral

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/referrals/dashboard/"
FUNNEL = '<h2 id="funnel-heading">'


def members_of(key: str) -> set[str]:
    return set(segments.members(key).values_list("username", flat=True))


def invited(referee, *, sender) -> Referral:
    link = link_for(sender)
    invite = Invite.objects.create(
        sender=sender,
        email=referee.email,
        link=link,
        expires_at=timezone.now() + timedelta(days=30),
    )
    referral = make_referral(referrer=sender, referee=referee)
    Referral.objects.filter(pk=referral.pk).update(invite=invite, visit=None)
    return referral


@pytest.fixture
def people():
    """A small community: who came how, who recommends."""
    ana = make_member(username="ana")  # came by herself, recommends this month
    make_member(username="ben")  # came by himself
    make_referral(referrer=ana, referee=make_member(username="cat"))  # through a link
    invited(make_member(username="dan"), sender=ana)  # through an email invite
    make_referral(
        referrer=ana, referee=make_member(username="eve"), status=Status.REJECTED
    )  # a moderator said it does not count: she did not come through a referral
    make_referral(
        referrer=ana, referee=make_member(username="fay"), status=Status.HELD
    )  # held for review: she still came through a link
    gus = make_member(username="gus")  # recommended last month only
    ReferralScore.objects.create(member=gus, period=month_of().previous().key, converted=3)
    make_referral(referrer=ana, referee=make_member(username="hal", is_active=False))  # closed
    converted_referral(referrer=ana)  # ana: one converted, counting referral this month
    return Referral.objects.get(referrer=ana, stage=3).referee.username


# --- who is in which segment -------------------------------------------------------------------


def test_each_segment_has_the_members_it_says(people):
    converted_referee = people
    assert members_of("referred") == {"cat", "dan", "fay", converted_referee}
    # Eve's referral was rejected; Hal closed his account and is in no segment.
    assert members_of("not_referred") == {"ana", "ben", "eve", "gus"}
    assert members_of("joined_via_link") == {"cat", "fay", converted_referee}
    assert members_of("joined_via_invite") == {"dan"}
    assert members_of("top_recommenders") == {"ana"}


def test_referred_and_not_referred_split_everyone(people):
    assert members_of("referred") | members_of("not_referred") == members_of("all")
    assert not members_of("referred") & members_of("not_referred")
    assert members_of("joined_via_link") | members_of("joined_via_invite") == members_of("referred")


def test_the_hubs_segments_are_offered_with_the_others():
    keys = [key for key, _ in segments.choices()]
    for key in ("all", "new", "referred", "not_referred", "top_recommenders"):
        assert key in keys
    assert "joined_via_link" in keys and "joined_via_invite" in keys


def test_a_conversion_taken_back_leaves_the_top_recommenders(member):
    converted_referral(referrer=member)
    assert member.username in members_of("top_recommenders")
    ReferralScore.objects.filter(member=member).update(converted=0)
    assert member.username not in members_of("top_recommenders")


# --- the dashboard, split by segment ---------------------------------------------------------


@pytest.fixture
def split(member):
    """This month: one referral of a newcomer, one of a long-standing member, both
    through links to the same guide."""
    newcomer = make_member(username="newcomer", joined_days_ago=5)
    old_hand = make_member(username="oldhand", joined_days_ago=400)
    for referee in (newcomer, old_hand):
        referral = make_referral(referrer=member, referee=referee)
        Referral.objects.filter(pk=referral.pk).update(link=link_for(member, "/guides/bread/"))
    return newcomer, old_hand


def test_the_dashboard_counts_only_the_chosen_segment(editor_client, split):
    response = editor_client.get(DASHBOARD, {"segment": "established"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Sign-ups: 1." in content
    assert "Visits:" not in content  # visitors are not members: not split
    assert "visits cannot be split by segment" in content
    assert '<option value="established" selected>' in content
    everyone = editor_client.get(DASHBOARD).content.decode()
    assert "Sign-ups: 2 (" in everyone or "Sign-ups: 2." in everyone


def test_the_content_ranking_follows_the_segment(editor_client, split):
    content = editor_client.get(DASHBOARD, {"segment": "new"}).content.decode()
    ranking = content.split('id="content-heading"')[1].split("</table>")[0]
    assert "/guides/bread/" in ranking
    assert "<td>1</td><td>0</td>" in ranking  # one sign-up, no conversion
    everyone = editor_client.get(DASHBOARD).content.decode()
    ranking = everyone.split('id="content-heading"')[1].split("</table>")[0]
    assert "<td>2</td><td>0</td>" in ranking


def test_the_segment_and_a_range_of_days_go_together(editor_client, split):
    today = timezone.localdate().isoformat()
    response = editor_client.get(DASHBOARD, {"segment": "new", "from": today, "to": today})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Sign-ups: 1." in content
    # The month links and the export keep the segment.
    assert "&amp;segment=new" in content
    assert 'name="segment" value="new"' in content


def test_the_csv_export_follows_the_segment(editor_client, split):
    response = editor_client.get(DASHBOARD, {"segment": "established", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Sign-ups", "1", ""] in rows
    assert ["/guides/bread/", "", "1", "0"] in rows


@pytest.mark.parametrize(
    "params,words",
    [
        ({"segment": "nope"}, "There is no segment called “nope”"),
        ({"segment": "<script>"}, "There is no segment called “&lt;script&gt;”"),
        ({"segment": "new", "from": "2026-02-30", "to": "2026-03-01"}, "not a day in the"),
        ({"segment": "new", "from": "yesterday", "to": "today"}, "Give the first day as"),
    ],
)
def test_bad_parameters_are_refused_in_words_not_a_500(editor_client, params, words):
    for fmt in ({}, {"format": "csv"}, {"format": "members"}):
        response = editor_client.get(DASHBOARD, {**params, **fmt})
        assert response.status_code == 400
        content = response.content.decode()
        assert words in content
        assert FUNNEL not in content


def test_the_dashboard_costs_the_same_queries_whatever_the_numbers(editor_client, member):
    referral = make_referral(referrer=member, referee=make_member(joined_days_ago=400))
    Referral.objects.filter(pk=referral.pk).update(link=link_for(member, "/guides/x/"))
    editor_client.get(DASHBOARD)  # the bell's count is read once, then kept
    with CaptureQueriesContext(connection) as few:
        editor_client.get(DASHBOARD, {"segment": "established"})
    for _ in range(5):
        referral = make_referral(referrer=member, referee=make_member(joined_days_ago=400))
        Referral.objects.filter(pk=referral.pk).update(link=link_for(member, "/guides/x/"))
    with CaptureQueriesContext(connection) as many:
        content = editor_client.get(DASHBOARD, {"segment": "established"}).content.decode()
    assert "Sign-ups: 6." in content
    assert len(many) == len(few)


# --- the members of a segment, as CSV ---------------------------------------------------------


def _members_csv(client, segment: str):
    response = client.get(DASHBOARD, {"segment": segment, "format": "members"})
    body = b"".join(response.streaming_content).decode() if response.streaming else ""
    return response, list(csv.reader(io.StringIO(body)))


def test_editors_download_the_members_of_a_segment(editor_client, people):
    ana = segments.members("all").get(username="ana")
    ana.display_name = "=Ana"
    ana.save(update_fields=["display_name"])
    PointsEntry.objects.create(member=ana, amount=7, reason="test", idempotency_key="t:1")
    dan = segments.members("all").get(username="dan")
    response, rows = _members_csv(editor_client, "top_recommenders")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="members-top_recommenders.csv"' in response["Content-Disposition"]
    assert rows[0] == ["username", "display name", "email", "joined", "referred", "points"]
    ana_points = sum(PointsEntry.objects.filter(member=ana).values_list("amount", flat=True))
    assert rows[1:] == [
        [
            "ana",
            "'=Ana",  # a spreadsheet would run it as a formula
            "ana@example.com",
            timezone.localtime(ana.date_joined).date().isoformat(),
            "no",
            str(ana_points),
        ]
    ]
    _, rows = _members_csv(editor_client, "joined_via_invite")
    assert [row[0] for row in rows[1:]] == [dan.username]
    assert rows[1][4] == "yes"
    assert rows[1][5] == "0"


def test_the_members_csv_is_one_query_however_many_members(
    editor_client, people, django_assert_num_queries
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _members_csv(editor_client, "all")
        return len(captured)

    before = queries()
    for _ in range(5):
        make_member()
    assert queries() == before
    # The session, the editor, their permissions (Wagtail's admin check and ours, two
    # each), then every row in one query.
    assert before == 6
    with django_assert_num_queries(6):
        response, rows = _members_csv(editor_client, "all")
    assert len(rows) == 1 + segments.members("all").count()


@pytest.mark.parametrize(
    "persona,status",
    [("visitor_client", 302), ("member_client", 403), ("moderator_client", 403)],
)
def test_only_editors_see_the_split_dashboard_and_the_members(request, persona, status, people):
    client = request.getfixturevalue(persona)
    assert client.get(DASHBOARD, {"segment": "referred"}).status_code == status
    response = client.get(DASHBOARD, {"segment": "referred", "format": "members"})
    assert response.status_code == status
    assert not response.streaming
    assert b"ana@example.com" not in response.content
