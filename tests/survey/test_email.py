"""The survey by email: who gets it, the signed one-click links, the reason form tied to
the link, expired and tampered links, opting out, and the budget shared with the card."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from community.signals import warm_action
from survey import actions, by_email
from survey.models import Prompt, SurveyAnswer, SurveyEmail, SurveyPreference
from tests.factories import make_editor, make_member, make_moderator
from tests.survey.factories import (
    answer_path,
    make_answer,
    make_email_round,
    unsubscribe_path,
)

pytestmark = pytest.mark.django_db

QUESTION = "How likely are you to recommend us to a friend?"


def _send(capture) -> str:
    mail.outbox.clear()
    out = StringIO()
    with capture(execute=True):
        call_command("send_survey_emails", stdout=out)
    return out.getvalue()


def _links(message) -> list[str]:
    return re.findall(r"http://\S+/survey/email/\S+/", message.body)


def test_it_emails_the_question_with_eleven_links_and_a_way_out(
    django_capture_on_commit_callbacks,
):
    member = make_member(display_name="Dora", joined_days_ago=40)

    output = _send(django_capture_on_commit_callbacks)

    assert "Sent 1 survey email" in output
    [message] = mail.outbox
    assert message.to == [member.email]
    assert "How likely are you to recommend" in message.subject
    assert len(_links(message)) == 11
    assert "To stop survey emails:" in message.body
    html, mime = message.alternatives[0]  # type: ignore[attr-defined]
    assert mime == "text/html"
    assert html.count("/survey/email/") == 11
    assert 'aria-label="10 out of 10, extremely likely"' in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The ask is recorded: a second run asks nobody twice.
    prompt = Prompt.objects.get(member=member)
    assert (prompt.kind, prompt.outcome) == ("survey", "sent")
    assert "Sent 0 survey emails" in _send(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_link_records_the_score_without_signing_in(django_capture_on_commit_callbacks):
    member = make_member(joined_days_ago=40)
    _send(django_capture_on_commit_callbacks)
    nine = _links(mail.outbox[0])[9]
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    warm_action.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().get(nine.removeprefix("http://testserver"))
    finally:
        warm_action.disconnect(receiver)

    html = response.content.decode()
    assert response.status_code == 200
    assert "You said 9 out of 10." in html
    assert "What is the main reason for your score?" in html
    answer = SurveyAnswer.objects.get(member=member)
    assert (answer.score, answer.asked_via) == (9, "email")
    assert Prompt.objects.get(member=member).outcome == Prompt.Outcome.ANSWERED
    assert SurveyEmail.objects.get(member=member).answer == answer
    assert heard == [
        {
            "signal": warm_action,
            "member": member,
            "action": "survey",
            "key": f"survey:answer:{answer.pk}",
            "reason": "you answered the recommend survey",
            "actor": None,
        }
    ]


def test_a_second_click_changes_nothing_and_says_so():
    member = make_member(joined_days_ago=40)
    survey_email = make_email_round(member)
    client = Client()
    client.get(answer_path(survey_email, 3))

    again = client.get(answer_path(survey_email, 10))

    html = again.content.decode()
    assert again.status_code == 200
    assert "You have already answered this survey email" in html
    assert "You said 3 out of 10." in html
    assert list(SurveyAnswer.objects.values_list("score", flat=True)) == [3]


def test_the_reason_form_adds_the_reason_to_that_answer():
    member = make_member(joined_days_ago=40)
    survey_email = make_email_round(member)
    path = answer_path(survey_email, 6)
    client = Client()
    assert f'action="{path}reason/"' in client.get(path).content.decode()

    response = client.post(path + "reason/", {"reason": "  Search is slow.  "}, follow=True)

    assert response.redirect_chain == [(path, 302)]
    assert "Thank you: the team reads every answer." in response.content.decode()
    assert SurveyAnswer.objects.get(member=member).reason == "Search is slow."


def test_an_empty_reason_is_a_form_error_and_keeps_the_score():
    survey_email = make_email_round(make_member(joined_days_ago=40), answered=8)
    response = Client().post(answer_path(survey_email, 8) + "reason/", {"reason": "  "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert SurveyAnswer.objects.get().score == 8


def test_another_members_token_cannot_set_a_reason():
    dora = make_member(username="dora", joined_days_ago=40)
    sam = make_member(username="sam", joined_days_ago=40)
    doras_email = make_email_round(dora, answered=9)
    doras_path = answer_path(doras_email, 9)
    sams_client = Client()
    sams_client.force_login(sam)

    refused = sams_client.post(doras_path + "reason/", {"reason": "Written by Sam"})
    shown = sams_client.get(doras_path)

    assert refused.status_code == 403 and shown.status_code == 403
    assert "This link is not for this account" in refused.content.decode()
    assert SurveyAnswer.objects.get(member=dora).reason == ""
    assert not SurveyAnswer.objects.filter(member=sam).exists()


def test_a_token_naming_another_members_round_is_refused():
    dora = make_member(username="dora", joined_days_ago=40)
    sam = make_member(username="sam", joined_days_ago=40)
    doras_email = make_email_round(dora)
    forged = SurveyEmail(pk=doras_email.pk, member_id=sam.pk)  # signed, but not a real round
    response = Client().get(answer_path(forged, 9))
    assert response.status_code == 400
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: token.split(":")[0],
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_a_friendly_400(change):
    survey_email = make_email_round(make_member(joined_days_ago=40))
    token = answer_path(survey_email, 9).split("/")[-2]

    response = Client().get(f"/survey/email/{change(token)}/")

    assert response.status_code == 400
    assert "This survey link does not work" in response.content.decode()
    assert not SurveyAnswer.objects.exists()
    reason = Client().post(f"/survey/email/{change(token)}/reason/", {"reason": "Hi"})
    assert reason.status_code == 400


def test_an_expired_link_is_a_friendly_410():
    survey_email = make_email_round(make_member(joined_days_ago=40))
    with time_machine.travel(timezone.now() - timedelta(days=31), tick=False):
        path = answer_path(survey_email, 9)

    response = Client().get(path)

    assert response.status_code == 410
    assert "This survey link has expired" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_a_link_within_thirty_days_still_works():
    survey_email = make_email_round(make_member(joined_days_ago=40))
    with time_machine.travel(timezone.now() - timedelta(days=29), tick=False):
        path = answer_path(survey_email, 9)
    assert Client().get(path).status_code == 200
    assert SurveyAnswer.objects.get().score == 9


def test_a_suspended_member_cannot_answer_by_link():
    member = make_member(joined_days_ago=40)
    survey_email = make_email_round(member)
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save(update_fields=["suspended_until"])
    response = Client().get(answer_path(survey_email, 9))
    assert response.status_code == 403
    assert not SurveyAnswer.objects.exists()


def test_the_links_are_get_and_post_only():
    survey_email = make_email_round(make_member(joined_days_ago=40))
    path = answer_path(survey_email, 9)
    assert Client().post(path).status_code == 405
    assert Client().get(path + "reason/").status_code == 405


def test_unsubscribing_stops_the_emails_but_not_the_card(django_capture_on_commit_callbacks):
    member = make_member(joined_days_ago=40)
    path = unsubscribe_path(member)
    client = Client(enforce_csrf_checks=True)  # a mail client's one-click POST has no token

    page = client.get(path)
    done = client.post(path)

    assert "Stop the survey emails?" in page.content.decode()
    assert "You will not get survey emails any more" in done.content.decode()
    assert SurveyPreference.objects.get(member=member).emails_off_since is not None
    assert "Sent 0 survey emails" in _send(django_capture_on_commit_callbacks)
    member_client = Client()
    member_client.force_login(member)
    assert QUESTION in member_client.get("/").content.decode()
    # Again: still off, nothing breaks.
    assert client.post(path).status_code == 200


def test_a_tampered_unsubscribe_link_is_a_400():
    response = Client().post("/survey/unsubscribe/abc:def/")
    assert response.status_code == 400
    assert not SurveyPreference.objects.exists()


def test_the_card_and_the_email_share_the_contact_budget(django_capture_on_commit_callbacks):
    answered_on_the_card = make_member(joined_days_ago=400)
    make_answer(answered_on_the_card, 8, days_ago=20)
    asked_something_else = make_member(joined_days_ago=400)
    Prompt.objects.create(
        member=asked_something_else,
        kind="invite",
        outcome=Prompt.Outcome.DISMISSED,
        created_at=timezone.now() - timedelta(days=3),
    )
    emailed = make_member(joined_days_ago=400)

    _send(django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[emailed.email]]
    # The email is the ask: no card for the interval.
    client = Client()
    client.force_login(emailed)
    assert QUESTION not in client.get("/").content.decode()
    with pytest.raises(actions.SurveyError, match="recently"):
        actions.answer_survey(member=emailed, score=9)


def test_staff_are_not_asked_by_default(django_capture_on_commit_callbacks):
    make_moderator(joined_days_ago=400)
    make_editor(joined_days_ago=400)
    member = make_member(joined_days_ago=400)
    _send(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_unconfirmed_addresses_and_new_members_get_no_email(django_capture_on_commit_callbacks):
    make_member(joined_days_ago=400, verified=False)
    make_member(joined_days_ago=5)
    assert "Sent 0 survey emails" in _send(django_capture_on_commit_callbacks)


def test_the_limit_spreads_the_emails_over_runs(django_capture_on_commit_callbacks):
    for _ in range(3):
        make_member(joined_days_ago=400)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = by_email.send_survey_emails(limit=2)
    assert (outcome.sent, len(mail.outbox)) == (2, 2)
    assert "Sent 1 survey email" in _send(django_capture_on_commit_callbacks)


def test_the_scheduler_runs_the_command_daily():
    from hearth import scheduler

    [job] = [job for job in scheduler.SCHEDULE if job.name == "send_survey_emails"]
    assert job.every == scheduler.DAY
    assert str(job.run) == "manage.py send_survey_emails"
