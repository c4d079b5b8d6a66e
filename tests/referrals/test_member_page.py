from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from referrals import actions
from referrals.models import ReferralLink, Stage, Status
from tests.factories import make_member
from tests.referrals.factories import browser, converted_referral, follow, link_for, make_referral

pytestmark = pytest.mark.django_db
URL = "/referrals/"


def test_it_shows_the_members_link_with_copy_and_share_buttons(member, member_client):
    response = member_client.get(URL)
    assert response.status_code == 200
    link = ReferralLink.objects.get(owner=member)
    content = response.content.decode()
    assert f'value="http://127.0.0.1:8000/r/{link.code}/"' in content
    assert "data-copy=" in content
    for network in (
        "mailto:?subject=",
        "https://wa.me/",
        "facebook.com/sharer",
        "twitter.com/intent",
        "linkedin.com/sharing",
        "t.me/share",
        "reddit.com/submit",
    ):
        assert network in content
    assert "/static/js/referrals.js" in content


def test_it_lists_every_referral_with_its_stage_and_why(member, member_client):
    make_referral(referrer=member, referee=make_member(display_name="Ada"), stage=Stage.SIGNED_UP)
    make_referral(
        referrer=member,
        referee=make_member(display_name="Ben"),
        status=Status.HELD,
        hold_reasons=["same_network"],
    )
    converted_referral(referrer=member, referee=make_member(display_name="Cleo"))
    rejected = make_referral(
        referrer=member,
        referee=make_member(display_name="Dan"),
        status=Status.HELD,
        hold_reasons=["cycle"],
    )
    actions.reject_referral(
        referral=rejected,
        moderator=make_member(groups=["Moderators"]),
        note="The same person twice.",
    )
    content = member_client.get(URL).content.decode()
    assert "Ada" in content and "waiting for your friend to confirm their email" in content
    assert "Ben" in content and "same network as you (for example the same home Wi-Fi)" in content
    assert "Cleo" in content and "Converted: this referral counts for you" in content
    assert "Dan" in content and "Did not count" in content and "The same person twice." in content
    assert 'data-stage="converted"' in content


def test_members_see_only_their_own_referrals(member, member_client, other_member):
    make_referral(referrer=other_member, referee=make_member(display_name="Secret Friend"))
    make_referral(referrer=member, referee=make_member(display_name="My Friend"))
    content = member_client.get(URL).content.decode()
    assert "My Friend" in content
    assert "Secret Friend" not in content


def test_it_shows_link_statistics(member, member_client):
    link = link_for(member)
    follow(browser("198.51.100.1"), link)
    follow(browser("198.51.100.2"), link)
    make_referral(referrer=member)
    content = member_client.get(URL).content.decode()
    assert "<dt>People who visited</dt><dd>2</dd>" in content
    assert "<dt>Signed up</dt><dd>1</dd>" in content


def test_it_shows_points_badges_and_standing(member, member_client):
    converted_referral(referrer=member)
    content = member_client.get(URL).content.decode()
    assert '<span class="points-balance__value">50</span>' in content
    assert "First friend" in content
    assert "you are <strong>#1 of 1</strong>" in content


def test_its_query_count_does_not_grow_with_referrals(
    member, member_client, django_assert_max_num_queries
):
    for _ in range(3):
        make_referral(referrer=member)
    member_client.get(URL)
    with django_assert_max_num_queries(22) as few:
        member_client.get(URL)
    for _ in range(20):
        make_referral(referrer=member)
    link_for(member, target_path="/guides/a/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        member_client.get(URL)


def test_visitors_are_sent_to_sign_in(visitor_client):
    response = visitor_client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_other_methods_are_405(member_client):
    assert member_client.post(URL).status_code == 405


# --- disabling links ---------------------------------------------------------------------


def test_the_owner_can_disable_and_re_enable_their_link(member, member_client):
    link = link_for(member)
    response = member_client.post(f"/referrals/links/{link.code}/disable/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.is_disabled
    assert "You disabled this link" in member_client.get(URL).content.decode()
    member_client.post(f"/referrals/links/{link.code}/enable/")
    link.refresh_from_db()
    assert not link.is_disabled
    assert ModelLogEntry.objects.filter(action="hearth.referrals.disable_link").count() == 1


def test_another_member_cannot_disable_a_link(member, other_member_client):
    link = link_for(member)
    assert other_member_client.post(f"/referrals/links/{link.code}/disable/").status_code == 403
    link.refresh_from_db()
    assert not link.is_disabled


def test_another_member_cannot_change_a_link_whatever_the_door(member, other_member):
    link = link_for(member)
    with pytest.raises(PermissionDenied):
        actions.set_link_enabled(link=link, by=other_member, enabled=False)
    link.refresh_from_db()
    assert not link.is_disabled


def test_a_moderator_can_disable_any_link_and_the_owner_cannot_undo_it(
    member, member_client, moderator_client
):
    link = link_for(member)
    response = moderator_client.post(
        f"/referrals/links/{link.code}/disable/", {"next": "/admin/referrals/links/"}
    )
    assert response["Location"] == "/admin/referrals/links/"
    link.refresh_from_db()
    assert link.disabled_by_staff
    assert member.notifications.filter(kind="referral_link").exists()
    member_client.post(f"/referrals/links/{link.code}/enable/")
    link.refresh_from_db()
    assert link.is_disabled
    assert "A moderator disabled this link" in member_client.get(URL).content.decode()


def test_an_unknown_link_is_404(member_client):
    assert member_client.post("/referrals/links/23456789/disable/").status_code == 404


def test_an_outside_next_address_is_ignored(member, member_client):
    link = link_for(member)
    response = member_client.post(
        f"/referrals/links/{link.code}/disable/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/referrals/"


def test_disabling_needs_a_post(member, member_client):
    link = link_for(member)
    assert member_client.get(f"/referrals/links/{link.code}/disable/").status_code == 405


def test_visitors_cannot_disable_links(member, visitor_client):
    link = link_for(member)
    response = visitor_client.post(f"/referrals/links/{link.code}/disable/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert not link.is_disabled
