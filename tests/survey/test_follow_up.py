"""Detractors' answers in the moderators' review inbox: reply (bell + email), close."""

from __future__ import annotations

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry

from community.models import Notification
from community.review import StaleItem, source
from survey import actions
from survey.models import SurveyAnswer
from tests.factories import make_member, make_moderator

pytestmark = pytest.mark.django_db

INBOX = "/admin/inbox/"


def _detractor_answer() -> SurveyAnswer:
    member = make_member(
        username="dora", display_name="Dora", email="dora@example.com", joined_days_ago=60
    )
    actions.answer_survey(member=member, score=3)
    return actions.add_reason(member=member, reason="Nobody answered my question.")


def test_a_detractor_lands_in_the_inbox_and_rings_the_moderators(
    moderator, moderator_client, django_capture_on_commit_callbacks
):
    member = make_member(display_name="Dora", joined_days_ago=60)
    with django_capture_on_commit_callbacks(execute=True):
        answer = actions.answer_survey(member=member, score=2)
    actions.add_reason(member=member, reason="Too many ads.")

    html = moderator_client.get(INBOX + "?kind=survey").content.decode()

    assert "Dora would recommend us 2/10" in html
    assert "Too many ads." in html
    assert "Your reply (emailed to the member and shown in their bell)" in html
    assert Notification.objects.filter(recipient=moderator, text__contains="2/10").exists()
    assert [i.key for i in source("survey").pending()] == [str(answer.pk)]


def test_promoters_and_passives_do_not_wait_for_review():
    actions.answer_survey(member=make_member(joined_days_ago=60), score=9)
    actions.answer_survey(member=make_member(joined_days_ago=60), score=7)
    assert source("survey").count() == 0


def test_a_moderators_reply_reaches_the_member_by_bell_and_email(
    moderator_client, django_capture_on_commit_callbacks
):
    answer = _detractor_answer()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            INBOX + "decide/",
            {"ref": f"survey:{answer.pk}", "decision": "reply", "reason": "Sorry! Fixed now."},
            follow=True,
        )

    assert "Your reply is on its way to Dora" in response.content.decode()
    bell = Notification.objects.get(recipient=answer.member, kind="survey_reply")
    assert "Sorry! Fixed now." in bell.text and bell.url == "/survey/thanks/"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["dora@example.com"]
    assert "Sorry! Fixed now." in email.body and "Nobody answered my question." in email.body
    html, mime = email.alternatives[0]  # type: ignore[attr-defined]
    assert mime == "text/html" and "Sorry! Fixed now." in html and 'lang="en"' in html
    answer.refresh_from_db()
    assert answer.reply == "Sorry! Fixed now." and not answer.is_closed
    # Still in the queue until closed; the member reads the reply on the site too.
    assert source("survey").count() == 1
    member_client = moderator_client.__class__()
    member_client.force_login(answer.member)
    assert "Sorry! Fixed now." in member_client.get("/survey/thanks/").content.decode()
    assert ModelLogEntry.objects.filter(action="hearth.survey.reply").count() == 1


def test_closing_needs_a_note_and_takes_it_off_the_queue(moderator, moderator_client):
    answer = _detractor_answer()

    moderator_client.post(
        INBOX + "decide/", {"ref": f"survey:{answer.pk}", "decision": "close", "reason": " "}
    )
    answer.refresh_from_db()
    assert not answer.is_closed

    moderator_client.post(
        INBOX + "decide/",
        {"ref": f"survey:{answer.pk}", "decision": "close", "reason": "Called her; sorted."},
    )
    answer.refresh_from_db()
    assert answer.is_closed and answer.closed_by == moderator
    assert answer.close_note == "Called her; sorted."
    assert source("survey").count() == 0


def test_a_decision_on_a_closed_answer_is_stale():
    answer = _detractor_answer()
    moderator = make_moderator()
    source("survey").decide(
        key=str(answer.pk), decision="close", moderator=moderator, reason="Done"
    )

    with pytest.raises(StaleItem):
        source("survey").decide(
            key=str(answer.pk), decision="reply", moderator=moderator, reason="Hello again"
        )
    with pytest.raises(StaleItem):
        source("survey").decide(key="999999", decision="close", moderator=moderator, reason="x")
    assert not Notification.objects.filter(kind="survey_reply").exists()


def test_a_stale_decision_in_the_inbox_says_already_decided(moderator_client):
    answer = _detractor_answer()
    actions.close_answer(answer_id=answer.pk, moderator=make_moderator(), note="Done")

    response = moderator_client.post(
        INBOX + "decide/",
        {"ref": f"survey:{answer.pk}", "decision": "reply", "reason": "Hi"},
        follow=True,
    )

    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.reply == ""


def test_a_member_cannot_reach_the_inbox_or_decide(member_client):
    answer = _detractor_answer()
    response = member_client.post(
        INBOX + "decide/", {"ref": f"survey:{answer.pk}", "decision": "close", "reason": "x"}
    )
    assert response.status_code in (302, 403)
    answer.refresh_from_db()
    assert not answer.is_closed


def test_editors_cannot_follow_up_through_the_verbs(editor):
    answer = _detractor_answer()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.close_answer(answer_id=answer.pk, moderator=editor, note="Done")


def test_the_member_cannot_change_the_reason_once_closed():
    answer = _detractor_answer()
    actions.close_answer(answer_id=answer.pk, moderator=make_moderator(), note="Done")
    with pytest.raises(actions.SurveyError):
        actions.add_reason(member=answer.member, reason="Changed my mind")
