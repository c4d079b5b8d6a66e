"""The weekly digest: to members who have been away, with what they missed, once a week,
and stopped by one click."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from community import digest
from community.forum import actions
from community.models import DigestSent, MemberDay
from tests.factories import make_member
from tests.forum.factories import make_reply, make_topic


def _away(member, days: int = 8) -> None:
    MemberDay.objects.create(member=member, day=timezone.localdate() - timedelta(days=days))


def _send(capture) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("send_digests", stdout=out)
    return out.getvalue()


@pytest.fixture
def away(db):
    member = make_member(username="nell", display_name="Nell", joined_days_ago=60)
    _away(member)
    return member


@pytest.fixture
def news(other_member, away):
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        topic = make_topic(author=other_member, title="Rye starter troubles")
        make_reply(topic=topic, author=other_member)
    return topic


def test_a_member_who_has_been_away_gets_what_they_missed_once(
    django_capture_on_commit_callbacks, away, news
):
    output = _send(django_capture_on_commit_callbacks)
    assert "1 digest queued" in output
    [message] = mail.outbox
    assert message.to == ["nell@example.com"]
    assert message.subject == "What you missed on Hearth"
    text, (html, kind) = message.body, message.alternatives[0]
    assert kind == "text/html"
    for part in (text, html):
        assert "New in the forum" in part and "Rye starter troubles" in part
        assert news.get_absolute_url() in part
    assert "General · 1 reply" in text or "· 1 reply" in text
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/digest/unsubscribe/" in unsubscribe and unsubscribe in text
    # The same week again: nothing more.
    mail.outbox.clear()
    assert "0 digests queued" in _send(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert DigestSent.objects.filter(member=away).count() == 1


def test_next_week_brings_a_new_digest_if_there_is_news(
    django_capture_on_commit_callbacks, away, news, other_member
):
    _send(django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        make_topic(author=other_member, title="Spelt or emmer?")
        mail.outbox.clear()
        _send(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert "Spelt or emmer?" in message.body


def test_nobody_gets_one_who_visited_lately_turned_it_off_or_has_no_confirmed_address(
    django_capture_on_commit_callbacks, news, other_member
):
    recent = make_member(username="rita", joined_days_ago=60)
    MemberDay.objects.create(member=recent, day=timezone.localdate() - timedelta(days=2))
    off = make_member(username="otto", joined_days_ago=60, digest_emails=False)
    _away(off)
    unconfirmed = make_member(username="uma", joined_days_ago=60, verified=False)
    _away(unconfirmed)
    mail.outbox.clear()
    _send(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["nell@example.com"]]


def test_nothing_new_means_no_email_and_no_record(django_capture_on_commit_callbacks, away):
    assert "0 digests queued, 1 with nothing to say" in _send(django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not DigestSent.objects.exists()


def test_what_the_member_opened_or_may_not_see_is_left_out(
    django_capture_on_commit_callbacks, away, news, other_member, moderator
):
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        hidden = make_topic(author=other_member, title="Buy cheap watches")
    actions.hide_topic(topic=hidden, moderator=moderator, reason="Spam")
    actions.record_read(topic=news, member=away, last_read=None, up_to=1)
    parts = digest.parts_for(away, digest.since_for(away, now=timezone.now()))
    titles = [item.title for part in parts for item in part.items]
    assert "Buy cheap watches" not in titles and "Rye starter troubles" not in titles


def test_one_click_unsubscribe_needs_no_sign_in_and_no_csrf(away):
    client = Client(enforce_csrf_checks=True)
    url = f"/digest/unsubscribe/{digest.unsubscribe_token(away)}/"
    page = client.get(url)
    assert page.status_code == 200 and "Stop the digest emails?" in page.content.decode()
    away.refresh_from_db()
    assert away.digest_emails  # a GET (a link scanner) changes nothing
    done = client.post(url, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert done.status_code == 200
    assert "You will not get digest emails any more" in done.content.decode()
    away.refresh_from_db()
    assert not away.digest_emails


@pytest.mark.parametrize("token", ["nope", "x" * 300, "eyJtIjoxfQ:1a:bad"])
def test_a_broken_unsubscribe_link_says_so(visitor_client, token):
    response = visitor_client.post(f"/digest/unsubscribe/{token}/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_members_can_turn_the_digest_off_in_their_profile(member_client, member):
    page = member_client.get("/members/maya/edit/").content.decode()
    assert "Email me what I missed when I have been away (at most weekly)" in page
