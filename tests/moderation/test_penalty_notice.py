"""A penalised member is told at once, and sees the notice instead of forms they can't use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community.models import Notification
from community.moderation.models import Penalty
from tests.forum.factories import make_topic

pytestmark = pytest.mark.django_db


def test_a_silence_is_recorded_with_its_rule_and_note(silence, member, moderator):
    penalty = silence()
    assert penalty.kind == "silence" and penalty.moderator == moderator
    assert penalty.canned_reason.title == "Personal attacks"
    assert penalty.reason == "You called maya a troll twice."
    assert penalty.is_active
    member.refresh_from_db()
    assert member.is_silenced  # the fast check is still the member's field


def test_the_member_gets_a_bell_notification_and_an_email_at_once(silence, member):
    penalty = silence()
    note = Notification.objects.get(recipient=member, kind="penalty")
    assert "silenced you until" in note.text and "Personal attacks" in note.text
    assert note.url == penalty.get_absolute_url()
    (email,) = mail.outbox
    assert email.to == [member.email]
    assert "Personal attacks" in email.body
    assert "Talk about ideas, not people" in email.body  # the rule's text
    assert "You called maya a troll twice." in email.body
    assert f"/penalties/{penalty.pk}/" in email.body  # the appeal link


def test_nothing_is_sent_when_the_moderator_may_not_silence(member, editor, moderator):
    from community import actions

    with pytest.raises(actions.ModerationError):
        actions.silence_member(
            member=editor,
            moderator=moderator,
            until=timezone.now() + timedelta(days=1),
            reason="x",
        )
    assert not Penalty.objects.exists() and not Notification.objects.exists()
    assert mail.outbox == []


def test_the_banner_shows_on_every_page_while_it_lasts(silence, member_client):
    penalty = silence()
    for url in ("/forum/", "/chat/", f"/members/{penalty.member.username}/"):
        page = member_client.get(url).content.decode()
        assert "You are silenced until" in page, url
        assert "Talk about ideas, not people" in page
        assert f'href="/penalties/{penalty.pk}/">Appeal</a>' in page


def test_other_people_see_no_banner(silence, other_member_client, visitor_client):
    silence()
    assert "You are silenced" not in other_member_client.get("/forum/").content.decode()
    assert "You are silenced" not in visitor_client.get("/forum/").content.decode()


def test_the_banner_goes_when_the_silence_ends(silence, member_client):
    penalty = silence()
    Penalty.objects.filter(pk=penalty.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    assert "You are silenced" not in member_client.get("/forum/").content.decode()


def test_a_silenced_member_sees_the_notice_instead_of_the_reply_box(
    silence, member, other_member, member_client
):
    topic = make_topic(author=other_member)
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "Post reply" in page
    silence()
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "Post reply" not in page
    reply_box = page.split('id="reply"', 1)[1]
    assert "You are silenced until" in reply_box and "Appeal" in reply_box


def test_a_silenced_member_sees_the_notice_instead_of_the_new_topic_form(silence, member_client):
    silence()
    page = member_client.get("/forum/new/").content.decode()
    assert "Start the topic" not in page
    assert "You are silenced until" in page


def test_lifting_on_the_profile_asks_for_a_reason_and_keeps_it(
    silence, member, moderator_client, moderator, django_capture_on_commit_callbacks
):
    penalty = silence()
    url = f"/members/{member.username}/moderate/"
    page = moderator_client.post(url, {"action": "lift"}, follow=True).content.decode()
    assert "Say why you lift it" in page
    member.refresh_from_db()
    assert member.is_silenced
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(url, {"action": "lift", "reason": "Apologised to maya"})
    member.refresh_from_db()
    penalty.refresh_from_db()
    assert not member.is_silenced
    assert penalty.lifted_by == moderator and penalty.lift_reason == "Apologised to maya"
    entry = ModelLogEntry.objects.get(action="hearth.member.unsuspend")
    assert entry.data["reason"] == "Apologised to maya"
    assert Notification.objects.filter(recipient=member, kind="penalty_lifted").exists()


def test_a_moderator_can_cite_a_canned_reason_on_the_profile(
    moderator_client, member, personal_attacks
):
    moderator_client.post(
        f"/members/{member.username}/moderate/",
        {"action": "silence", "days": 2, "rule": personal_attacks.pk, "reason": ""},
    )
    penalty = Penalty.objects.get(member=member)
    assert penalty.canned_reason == personal_attacks and penalty.kind == "silence"


def test_the_banner_costs_no_query_for_members_in_good_standing(
    member, member_client, django_assert_num_queries
):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = member
    template = Template("{% load moderation_tags %}{% penalty_banner %}")
    with django_assert_num_queries(0):
        assert template.render(Context({"request": request})).strip() == ""


def test_a_muted_member_sees_the_notice_instead_of_the_chat_input(
    member, moderator, member_client, personal_attacks, django_capture_on_commit_callbacks
):
    from community.chat import actions as chat_actions
    from tests.chat.factories import make_room

    room = make_room(name="Bread talk")
    other = make_room(name="Elsewhere")
    with django_capture_on_commit_callbacks(execute=True):
        chat_actions.mute_member(
            room=room,
            member=member,
            moderator=moderator,
            minutes=60,
            reason="Cool off",
            canned_reason=personal_attacks,
        )
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert "data-send-form" not in page
    assert "You are muted in the room Bread talk until" in page
    assert "Talk about ideas, not people" in page and "Cool off" in page
    assert ">Appeal</a>" in page
    assert "data-send-form" in member_client.get(other.get_absolute_url()).content.decode()
    note = Notification.objects.get(recipient=member, kind="penalty")
    assert "muted you in the room Bread talk" in note.text
    (email,) = mail.outbox
    assert "A moderator has muted you in the room Bread talk on" in email.body
