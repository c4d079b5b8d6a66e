from __future__ import annotations

import pytest

from tests.referrals.factories import converted_referral

pytestmark = pytest.mark.django_db


def test_the_profile_shows_badges_and_converted_referrals(member, visitor_client):
    converted_referral(referrer=member)
    content = visitor_client.get(member.get_absolute_url()).content.decode()
    assert "1 friend who joined through Maya took part for real" in content
    assert "First friend" in content


def test_a_member_without_referrals_shows_no_section(member, visitor_client):
    content = visitor_client.get(member.get_absolute_url()).content.decode()
    assert "profile-referrals-heading" not in content
