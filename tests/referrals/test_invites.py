from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from referrals import invites
from referrals.models import Invite
from tests.factories import make_member
from tests.referrals.factories import link_for

pytestmark = pytest.mark.django_db
URL = "/referrals/invite/"


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Post the invite form; emails go out after commit, as on a real server."""

    def _invite(client, emails, note="", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, {"emails": emails, "note": note}, **kwargs)

    return _invite


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def _send(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return invites.send_invites(**kwargs)

    return _send


def test_it_emails_each_friend_the_note_and_the_link(member, member_client, invite):
    response = invite(
        member_client, "ana@example.org, bo@example.org\nAna@Example.org", note="Come bake!"
    )
    assert response.status_code == 302
    assert response["Location"] == "/referrals/#invite"
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Maya invites you to Hearth"
    assert "Come bake!" in message.body
    assert f"/r/{link_for(member).code}/?via=invite" in message.body
    invite = Invite.objects.get(email="ana@example.org")
    assert invite.expires_at - invite.created_at == timedelta(days=90)
    page = member_client.get("/referrals/")
    assert b"on its way to 2 addresses" in page.content
    assert b"ana@example.org" in page.content


def test_an_address_with_an_account_is_not_emailed_and_the_answer_is_the_same(
    member, member_client, other_member, invite
):
    first = invite(member_client, other_member.email, follow=True)
    second = invite(member_client, "nobody-here@example.org", follow=True)
    assert mail.outbox and [m.to for m in mail.outbox] == [["nobody-here@example.org"]]
    assert Invite.objects.get(email=other_member.email).emailed is False
    # the two answers read the same: nothing tells the sender who has an account
    assert b"on its way to 1 address" in first.content
    assert b"on its way to 1 address" in second.content


def test_the_same_address_at_most_once_a_week(member, member_client, invite):
    invite(member_client, "ana@example.org")
    response = invite(member_client, "ana@example.org")
    assert response.status_code == 400
    assert b"You invited these addresses in the last 7 days: ana@example.org" in response.content
    assert len(mail.outbox) == 1
    Invite.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert invite(member_client, "ana@example.org").status_code == 302
    assert len(mail.outbox) == 2


def test_an_address_another_member_invited_this_week_is_recorded_but_not_emailed(
    member, other_member, send
):
    send(sender=other_member, emails=["ana@example.org"])
    result = send(sender=member, emails=["ana@example.org"])
    assert result.invited == ["ana@example.org"]
    assert len(mail.outbox) == 1
    assert Invite.objects.filter(sender=member).get().emailed is False


def test_it_allows_ten_invitations_a_day(member, member_client, invite):
    emails = ", ".join(f"friend{n}@example.org" for n in range(8))
    assert invite(member_client, emails).status_code == 302
    response = invite(member_client, "a@example.org, b@example.org, c@example.org")
    assert response.status_code == 400
    assert b"have 2 left for now" in response.content
    assert invite(member_client, "a@example.org, b@example.org").status_code == 302
    response = invite(member_client, "z@example.org")
    assert b"You have sent your 10 invitations for today" in response.content
    assert Invite.objects.count() == 10


def test_the_daily_limit_is_configurable(member, member_client, settings, invite):
    settings.REFERRAL_INVITES_PER_DAY = 2
    response = invite(member_client, "a@example.org, b@example.org, c@example.org")
    assert response.status_code == 400
    assert b"at most 2 people a day" in response.content
    assert not Invite.objects.exists()


def test_yesterdays_invitations_do_not_count_against_today(member, member_client, invite):
    invite(member_client, ", ".join(f"f{n}@example.org" for n in range(10)))
    Invite.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert invite(member_client, "new@example.org").status_code == 302


def test_bad_addresses_are_named_and_nothing_is_sent(member, member_client, invite):
    response = invite(member_client, "ana@example.org, not-an-email, @oops")
    assert response.status_code == 400
    assert b"These are not email addresses: not-an-email, @oops" in response.content
    assert not Invite.objects.exists()
    assert not mail.outbox


def test_an_empty_form_says_what_is_missing(member_client, invite):
    response = invite(member_client, "  ")
    assert response.status_code == 400
    assert (
        b"This field is required" in response.content or b"Enter at least one" in response.content
    )


def test_a_long_note_is_refused(member_client, invite):
    response = invite(member_client, "ana@example.org", note="x" * 501)
    assert response.status_code == 400
    assert not Invite.objects.exists()


def test_inviting_yourself_is_refused(member, member_client, invite):
    response = invite(member_client, member.email)
    assert response.status_code == 400
    assert b"That is your own address" in response.content


def test_visitors_must_sign_in(visitor_client, invite):
    response = invite(visitor_client, "ana@example.org")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Invite.objects.exists()


def test_other_methods_are_405(member_client):
    assert member_client.get(URL).status_code == 405


def test_the_list_shows_expired_and_joined_invitations(member, member_client):
    invites.send_invites(sender=member, emails=["old@example.org", "new@example.org"])
    Invite.objects.filter(email="old@example.org").update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    joined = make_member(email="new@example.org")
    from referrals.models import Referral

    Referral.objects.create(
        referrer=member, referee=joined, invite=Invite.objects.get(email="new@example.org")
    )
    content = member_client.get("/referrals/").content.decode()
    assert "Expired" in content
    assert "Joined" in content


def test_the_note_loses_bidi_overrides_and_zero_width_characters(member, member_client, invite):
    invite(member_client, "ana@example.org", note="Come \u202eekab\u202c\u200b now")
    assert Invite.objects.get(email="ana@example.org").note == "Come ekab now"
    (message,) = mail.outbox
    assert "Come ekab now" in message.body
    assert "\u202e" not in message.body and "\u200b" not in message.body


def test_the_invitation_is_in_the_language_the_sender_reads_when_they_chose_none(
    member, member_client, invite
):
    # Maya never chose a language on her profile: she reads Hearth in her browser's.
    invite(member_client, "ana@example.org", HTTP_ACCEPT_LANGUAGE="et-EE")
    (message,) = mail.outbox
    with translation.override("et"):
        assert message.subject == gettext("%(name)s invites you to %(site_name)s") % {
            "name": "Maya",
            "site_name": "Hearth",
        }
        assert gettext("Join here:") in message.body
    assert "Join here:" not in message.body


def test_the_invitation_is_in_the_sender_s_own_language_over_their_browser_s(
    member, member_client, invite
):
    member.language = "uk"
    member.save(update_fields=["language"])
    invite(member_client, "ana@example.org", HTTP_ACCEPT_LANGUAGE="et-EE")
    (message,) = mail.outbox
    with translation.override("uk"):
        assert gettext("Join here:") in message.body
