from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from community.models import User
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def _sign_up(client, email="new@example.com", username="newbie", password=PASSWORD):
    return client.post(
        SIGNUP,
        {"email": email, "username": username, "password1": password, "password2": password},
    )


def _confirmation_link() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s/]+/", body)
    assert match, body
    return match.group(0).split("testserver", 1)[-1]


def test_it_signs_up_a_member_and_sends_a_verification_email(client):
    response = _sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert list(user.groups.values_list("name", flat=True)) == ["Members"]
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox[-1].to == ["new@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[-1].body


def test_account_emails_speak_with_the_communitys_name_not_the_host(client, settings):
    settings.SITE_NAME = "Crumb Club"
    _sign_up(client)
    body = mail.outbox[-1].body
    assert "Hello from Crumb Club!" in body
    assert "Thank you for using Crumb Club!" in body
    assert "Hello from testserver" not in body and "Hello from example.com" not in body


def test_it_verifies_the_email_from_the_link_and_signs_the_member_in(client):
    _sign_up(client)
    link = _confirmation_link()
    assert "Confirm" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert client.get("/").context["user"].username == "newbie"


def test_it_does_not_let_an_unverified_member_sign_in(client):
    _sign_up(client)
    client.logout()
    response = client.post(LOGIN, {"login": "new@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert "confirm-email" in response["Location"] or "verification" in response["Location"]
    assert not client.get("/").context["user"].is_authenticated


def test_it_signs_in_and_out_a_verified_member(client):
    make_member(username="verified", email="v@example.com")
    response = client.post(LOGIN, {"login": "v@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "verified"
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_it_gives_the_same_answer_for_a_registered_email_at_sign_up(client):
    make_member(username="existing", email="taken@example.com")
    fresh = _sign_up(client, email="fresh@example.com", username="fresh")
    client.logout()
    taken = _sign_up(client, email="taken@example.com", username="another")
    # Same redirect to "check your email": the page never says the address is taken.
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    assert not User.objects.filter(username="another").exists()
    # The owner of the address is told someone tried, instead.
    assert mail.outbox[-1].to == ["taken@example.com"]


def test_it_gives_the_same_answer_for_unknown_and_known_addresses_at_password_reset(client):
    make_member(username="known", email="known@example.com")
    known = client.post("/accounts/password/reset/", {"email": "known@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_it_resets_a_password_from_the_emailed_link(client):
    make_member(username="forgetful", email="forgetful@example.com")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    link = re.search(
        r"https?://testserver(/accounts/password/reset/key/[^\s]+)", mail.outbox[-1].body
    )
    assert link
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    client.post(
        form_url, {"password1": "a-brand-new-secret-9", "password2": "a-brand-new-secret-9"}
    )
    client.logout()
    response = client.post(
        LOGIN, {"login": "forgetful@example.com", "password": "a-brand-new-secret-9"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "forgetful"


def test_it_lets_a_member_add_and_change_their_email(member_client, member):
    response = member_client.post(
        "/accounts/email/", {"email": "maya.new@example.com", "action_add": ""}
    )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=member, email="maya.new@example.com").exists()
    assert mail.outbox[-1].to == ["maya.new@example.com"]


def test_it_rate_limits_failed_sign_ins(client):
    make_member(username="target", email="target@example.com")
    pages = [
        client.post(LOGIN, {"login": "target@example.com", "password": "wrong"}).content.decode()
        for _ in range(6)
    ]
    assert "Too many failed login attempts" not in pages[0]
    assert "Too many failed login attempts" in pages[-1]
    # It says when the member may try again (the longest window of the limits: 5 minutes).
    assert re.search(r"You can try again in 5 minutes, at \d\d:\d\d\.", pages[-1])
    # The right password is refused too while the limit holds.
    response = client.post(LOGIN, {"login": "target@example.com", "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("a", "at least 3"),
        ("bad name!", "letters, digits or underscores"),
        ("admin", "reserved"),
        ("suggest", "reserved"),
    ],
)
def test_it_rejects_bad_usernames_at_sign_up(client, username, message):
    response = _sign_up(client, username=username)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_it_signs_out_a_suspended_member_and_says_why(member_client, member):
    from datetime import timedelta

    from django.utils import timezone

    member.suspended_until = timezone.now() + timedelta(days=3)
    member.suspension_reason = "Spamming links"
    member.save()
    response = member_client.get("/", follow=True)
    html = response.content.decode()
    assert "Your account is suspended until" in html
    assert "Spamming links" in html
    assert not response.context["user"].is_authenticated
