"""/referrals/, fast: the personal link read with its numbers (no write once made), the
empty invitation form's fields rendered once and kept. Nothing the member's own activity
changes is kept, so points, referrals, visits and badges show at once."""

from __future__ import annotations

import pytest
from django.utils import translation

from referrals import points
from referrals.models import MemberBadge, ReferralLink
from tests.referrals.factories import browser, converted_referral, follow, link_for, make_referral

pytestmark = pytest.mark.django_db
URL = "/referrals/"


def test_it_costs_eleven_queries_once_the_link_is_made(
    member, member_client, django_assert_num_queries
):
    member_client.get(URL)  # makes the personal link; the bell's count is kept
    # Session, member, links with their numbers, referrals counted, invitations, balance,
    # badges, the member's score and the board's, their groups, the latest points.
    with django_assert_num_queries(11):
        member_client.get(URL)
    for _ in range(3):
        make_referral(referrer=member)
    link_for(member, target_path="/guides/a/")
    with django_assert_num_queries(12):  # the referrals' page is read now
        member_client.get(URL)


def test_the_first_visit_makes_the_personal_link_with_empty_numbers(member, member_client):
    page = member_client.get(URL).content.decode()
    link = ReferralLink.objects.get(owner=member, target_path="")
    assert f"/r/{link.code}/" in page
    assert "<dt>People who visited</dt><dd>0</dd>" in page


def test_a_visit_to_the_link_shows_at_once(member, member_client):
    member_client.get(URL)
    follow(browser(), link_for(member))
    assert "<dt>People who visited</dt><dd>1</dd>" in member_client.get(URL).content.decode()


def test_points_show_at_once(member, member_client):
    member_client.get(URL)
    points.reward(member=member, action="post", key="speed-test", reason="A test post", amount=7)
    page = member_client.get(URL).content.decode()
    assert '<span class="points-balance__value">7</span>' in page and "A test post" in page


def test_a_converted_referral_and_its_badge_show_at_once(member, member_client):
    member_client.get(URL)
    converted_referral(referrer=member)
    page = member_client.get(URL).content.decode()
    assert "you are <strong>#1 of 1</strong>" in page
    for badge in MemberBadge.objects.filter(member=member):
        assert str(badge.name) in page


def test_the_kept_invitation_fields_are_the_forms_own(member_client):
    page = member_client.get(URL).content.decode()
    again = member_client.get(URL).content.decode()
    assert 'name="emails"' in page and 'name="note"' in page
    start, end = page.index('name="emails"'), page.index('name="note"') + 200
    assert page[start:end] == again[start:end]


def test_a_refused_invitation_shows_its_errors_not_the_kept_fields(member_client):
    response = member_client.post("/referrals/invite/", {"emails": "not an address"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "field--error" in page and "not an address" in page
    assert "field--error" not in member_client.get(URL).content.decode()


def test_the_kept_fields_are_kept_per_language(member_client):
    from referrals import views

    with translation.override("en"):
        english = views._empty_invite_fields()
    with translation.override("de"):
        assert views._empty_invite_fields() is not None
    with translation.override("en"):
        assert views._empty_invite_fields() == english
