from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from community.models import User
from referrals import actions, attribution, invites
from referrals.models import (
    Invite,
    Referral,
    SignUp,
    Stage,
    Status,
    Visit,
)
from tests.referrals.factories import browser, follow, link_for, sign_up

pytestmark = pytest.mark.django_db


def test_it_credits_the_link_when_the_visitor_signs_up(member):
    client = browser()
    follow(client, link_for(member))
    friend = sign_up(client, "friend")
    referral = Referral.objects.get()
    assert (referral.referrer, referral.referee) == (member, friend)
    assert referral.link == link_for(member)
    assert referral.visit == Visit.objects.get()
    assert referral.stage == Stage.SIGNED_UP
    assert referral.status == Status.COUNTING
    assert list(referral.events.values_list("stage", flat=True)) == [Stage.SIGNED_UP]
    assert SignUp.objects.get(member=friend).browser == referral.visit.visitor


def test_the_first_referrer_keeps_the_referral(member, other_member):
    client = browser()
    follow(client, link_for(member))
    Visit.objects.update(created_at=timezone.now() - timedelta(days=3))
    follow(client, link_for(other_member, target_path="/guides/bread/"))
    sign_up(client, "friend")
    assert Referral.objects.get().referrer == member


def test_it_ignores_visits_older_than_ninety_days(member, other_member):
    client = browser()
    follow(client, link_for(member))
    Visit.objects.update(created_at=timezone.now() - timedelta(days=91))
    follow(client, link_for(other_member))
    sign_up(client, "friend")
    assert Referral.objects.get().referrer == other_member


def test_it_makes_no_referral_when_every_visit_is_too_old(member):
    client = browser()
    follow(client, link_for(member))
    Visit.objects.update(created_at=timezone.now() - timedelta(days=91))
    sign_up(client, "friend")
    assert not Referral.objects.exists()


def test_it_ignores_visits_to_a_link_disabled_since(member, other_member):
    client = browser()
    first = link_for(member)
    follow(client, first)
    follow(client, link_for(other_member))
    Visit.objects.filter(link=first).update(created_at=timezone.now() - timedelta(hours=2))
    actions.set_link_enabled(link=first, by=member, enabled=False)
    sign_up(client, "friend")
    assert Referral.objects.get().referrer == other_member


def test_it_ignores_a_tampered_cookie_at_sign_up(member):
    client = browser()
    follow(client, link_for(member))
    visitor = Visit.objects.get().visitor
    client.cookies[attribution.COOKIE_NAME] = f"{visitor}:forged:signature"
    sign_up(client, "friend")
    assert not Referral.objects.exists()


def test_it_makes_no_referral_without_a_visit(visitor_client):
    sign_up(visitor_client, "friend")
    assert not Referral.objects.exists()
    assert SignUp.objects.filter(member__username="friend").exists()


def test_a_member_has_at_most_one_referral(member, other_member):
    client = browser()
    follow(client, link_for(member))
    friend = sign_up(client, "friend")
    # attribution running again (a retried signal) changes nothing
    request = client.get("/").wsgi_request
    again = actions.attribute_signup(user=friend, request=request)
    assert again == Referral.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(referrer=other_member, referee=friend)


def test_the_database_refuses_a_self_referral(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(referrer=member, referee=member)


def test_it_credits_an_email_invite_when_there_is_no_visit(member):
    invites.send_invites(sender=member, emails=["friend@example.org"], note="Come!")
    sign_up(browser(), "friend", email="Friend@Example.org")
    referral = Referral.objects.get()
    assert referral.referrer == member
    assert referral.invite == Invite.objects.get()
    assert referral.link == link_for(member)


def test_an_expired_invite_does_not_count(member):
    invites.send_invites(sender=member, emails=["friend@example.org"])
    Invite.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    sign_up(browser(), "friend", email="friend@example.org")
    assert not Referral.objects.exists()


def test_a_visit_wins_over_an_invite(member, other_member):
    invites.send_invites(sender=other_member, emails=["friend@example.org"])
    client = browser()
    follow(client, link_for(member))
    sign_up(client, "friend", email="friend@example.org")
    assert Referral.objects.get().referrer == member


def test_it_tells_the_referrer_someone_signed_up(member):
    client = browser()
    follow(client, link_for(member))
    sign_up(client, "friend")
    note = member.notifications.get()
    assert note.kind == "referral_signed_up"
    assert "friend signed up through your link" in note.text


def test_a_suspended_referrers_link_still_credits_but_not_a_deactivated_one(member):
    client = browser()
    follow(client, link_for(member))
    User.objects.filter(pk=member.pk).update(is_active=False)
    sign_up(client, "friend")
    assert not Referral.objects.exists()
