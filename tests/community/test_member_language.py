"""What is sent to a member outside their own request (the bell's words, notification
emails) is said in their language; a socket speaks the language its page would."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from community import actions
from community.consumers import socket_language
from community.forum.actions.emails import email_notified
from community.forum.models import NotificationEmails
from tests.factories import make_member

pytestmark = pytest.mark.django_db

OFFERED = [("en-gb", "English"), ("et", "Eesti"), ("uk", "Українська")]


@override_settings(LANGUAGES=OFFERED)
def test_it_words_a_notification_in_the_recipients_language(other_member):
    reader = make_member(language="et")
    with translation.override("uk"):  # the actor's request speaks another language
        told = actions.notify(
            recipient=reader,
            kind="forum_reply",
            text=lambda: f"said in {translation.get_language()}",
            actor=other_member,
        )
        assert translation.get_language() == "uk"
    assert told is not None
    told.refresh_from_db()
    assert told.text == "said in et"


@override_settings(LANGUAGES=OFFERED)
def test_it_words_a_notification_in_the_sites_language_for_a_member_without_one(other_member):
    reader = make_member(language="")
    with translation.override("uk"):
        told = actions.notify(
            recipient=reader,
            kind="forum_reply",
            text=lambda: f"said in {translation.get_language()}",
            actor=other_member,
        )
    assert told.text == "said in en-gb"


@override_settings(LANGUAGES=OFFERED)
def test_it_keeps_a_notification_written_as_text(member, other_member):
    told = actions.notify(recipient=member, kind="forum_reply", text="Sam replied")
    assert told.text == "Sam replied"


@override_settings(LANGUAGES=OFFERED)
def test_it_emails_a_forum_notification_in_each_members_language(
    django_capture_on_commit_callbacks,
):
    estonian = make_member(language="et")
    ukrainian = make_member(language="uk")
    for reader in (estonian, ukrainian):
        NotificationEmails.objects.create(member=reader, watched_posts=True)
    with django_capture_on_commit_callbacks(execute=True), translation.override("en-gb"):
        email_notified(
            kind="watched_posts",
            members=[estonian, ukrainian],
            text=lambda: f"said in {translation.get_language()}",
            url="/forum/",
        )
    subjects = sorted(message.subject for message in mail.outbox)
    assert [s.split("] ", 1)[1] for s in subjects] == ["said in et", "said in uk"]


class _Member:
    is_authenticated = True

    def __init__(self, language: str) -> None:
        self.language = language


class _Visitor:
    is_authenticated = False


@override_settings(LANGUAGES=OFFERED)
def test_a_socket_speaks_the_members_own_language():
    scope = {"user": _Member("uk"), "cookies": {"hearth_language": "et"}, "headers": []}
    assert socket_language(scope) == "uk"


@override_settings(LANGUAGES=OFFERED)
def test_a_socket_speaks_the_language_cookie_before_the_browsers_languages():
    scope = {
        "user": _Visitor(),
        "cookies": {"hearth_language": "et"},
        "headers": [(b"accept-language", b"uk,en;q=0.5")],
    }
    assert socket_language(scope) == "et"


@override_settings(LANGUAGES=OFFERED)
def test_a_socket_speaks_the_browsers_first_offered_language():
    scope = {
        "user": _Member(""),
        "cookies": {},
        "headers": [(b"accept-language", b"fr-FR,uk;q=0.8,en;q=0.5")],
    }
    assert socket_language(scope) == "uk"


@override_settings(LANGUAGES=OFFERED)
def test_a_socket_without_a_known_language_speaks_the_sites():
    assert socket_language({"user": _Visitor(), "headers": [(b"accept-language", b"fr")]}) == (
        "en-gb"
    )
    assert socket_language({}) == "en-gb"


def _sign_up(client, **headers):
    return client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "username": "newbie",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
        **headers,
    )


@override_settings(LANGUAGES=OFFERED)
def test_a_member_who_signs_up_in_estonian_keeps_estonian_for_what_is_sent_later(client):
    from community.models import User

    assert _sign_up(client, HTTP_ACCEPT_LANGUAGE="et").status_code == 302
    newbie = User.objects.get(username="newbie")
    assert newbie.language == "et"  # the digest, the survey, the bell: all in Estonian


@override_settings(LANGUAGES=OFFERED)
def test_a_member_who_signs_up_in_the_sites_language_keeps_following_their_browser(client):
    from community.models import User

    assert _sign_up(client, HTTP_ACCEPT_LANGUAGE="en-GB").status_code == 302
    assert User.objects.get(username="newbie").language == ""
