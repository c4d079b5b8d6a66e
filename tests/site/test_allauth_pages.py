"""Allauth's sign-in, sign-up, password reset, email and sign-out pages speak as Hearth,
in the site's layout, with the error summary; every allauth email names the site
(issue 14)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail

from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db


def _soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def _in_hearths_layout(soup: BeautifulSoup, heading: str) -> None:
    assert soup.select_one("header.site-header .site-brand").get_text(strip=True) == "Hearth"
    assert "accounts" in soup.body["class"]
    assert soup.select_one("main#main h1").get_text(" ", strip=True) == heading
    assert soup.title.get_text().endswith(" · Hearth")
    # Allauth's own look (its menu) is gone.
    assert "Menu:" not in soup.get_text()


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/login/", "Sign in"),
        ("/accounts/signup/", "Join Hearth"),
        ("/accounts/password/reset/", "Reset your password"),
        ("/accounts/password/reset/done/", "Check your email"),
        ("/accounts/password/reset/key/1-set-password/", "This link does not work any more"),
        ("/accounts/password/reset/key/done/", "Your password is changed"),
        ("/accounts/confirm-email/", "Verify your email address"),
        ("/accounts/confirm-email/not-a-key/", "Confirm your email address"),
    ],
)
def test_a_visitor_sees_the_account_pages_in_hearths_layout(client, url, heading):
    _in_hearths_layout(_soup(client.get(url, follow=True)), heading)


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/email/", "Your email address"),
        ("/accounts/logout/", "Sign out"),
        ("/accounts/password/change/", "Change your password"),
    ],
)
def test_a_member_sees_the_account_pages_in_hearths_layout(member_client, url, heading):
    _in_hearths_layout(_soup(member_client.get(url)), heading)


def test_remember_me_is_a_checkbox_with_its_label_on_one_row(client):
    soup = _soup(client.get("/accounts/login/"))
    box = soup.select_one("input[type=checkbox][name=remember]")
    row = box.parent
    assert "field--checkbox" in row["class"]
    label = row.select_one(f"label[for={box['id']}]")
    assert label.get_text(strip=True) == "Remember me"
    # The sign-in button keeps its name for the journeys' sign_in helper.
    assert soup.select_one("main button[type=submit]").get_text(strip=True) == "Sign in"


def test_a_failed_sign_in_opens_with_the_error_summary(client):
    make_member(username="maya", email="maya@example.com")
    soup = _soup(client.post("/accounts/login/", {"login": "maya@example.com", "password": "no"}))
    summary = soup.select_one("[data-error-summary]")
    assert summary.h2.get_text(strip=True) == "There is a problem"
    assert "not correct" in summary.get_text()
    assert soup.title.get_text().startswith("Error: Sign in")
    # What the member typed stays.
    assert soup.select_one("#id_login")["value"] == "maya@example.com"


def test_a_failed_sign_up_links_each_error_to_its_field(client):
    soup = _soup(
        client.post(
            "/accounts/signup/",
            {"email": "not-an-address", "username": "a", "password1": "x", "password2": "y"},
        )
    )
    summary = soup.select_one("[data-error-summary]")
    hrefs = {a["href"] for a in summary.select("a")}
    assert {"#id_email", "#id_username"} <= hrefs
    for href in hrefs:
        field = soup.select_one(href)
        assert field["aria-invalid"] == "true"
        assert f"{href[1:]}_error" in field["aria-describedby"].split()


def _without_links(body: str) -> str:
    return re.sub(r"https?://\S+", "", body)


def test_every_allauth_email_names_the_site_not_the_host(client, member_client):
    assert settings.SITE_NAME == "Hearth"
    make_member(username="known", email="known@example.com")
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "username": "newbie",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    client.post(
        "/accounts/signup/",
        {
            "email": "known@example.com",
            "username": "another",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    client.post("/accounts/password/reset/", {"email": "known@example.com"})
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    member_client.post("/accounts/email/", {"email": "maya.new@example.com", "action_add": ""})
    assert len(mail.outbox) >= 5
    for message in mail.outbox:
        assert message.subject.startswith("[Hearth] "), message.subject
        text = _without_links(message.body)
        assert "Hello from Hearth!" in text, message.body
        assert "testserver" not in text and "example.com!" not in text, message.body


def test_a_long_username_is_refused_by_the_server_not_cut_by_the_browser(client):
    page = client.get("/accounts/signup/").content.decode()
    soup = BeautifulSoup(page, "html.parser")
    for name in ("username", "email"):
        field = soup.select_one(f"main input[name={name}]")
        assert field.has_attr("data-limit") and not field.has_attr("maxlength")
    username = "a_very_long_username_for_a_baker"  # 32 characters
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "username": username,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    soup = _soup(response)
    summary = soup.select_one("[data-error-summary]")
    assert "A username can be at most 30 characters (this one has 32)." in summary.get_text()
    assert soup.select_one("#id_username")["value"] == username


def test_the_sign_in_and_reset_forms_keep_their_names_with_hearths_forms(client):
    make_member(username="maya", email="maya@example.com")
    response = client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    assert response.status_code == 302
    soup = _soup(client.get("/accounts/password/reset/"))
    assert not soup.select_one("main input[name=email]").has_attr("maxlength")
