"""Email goes out from a task: queued in the request, sent by the worker, never a 500."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from blog import demo as blog_demo
from blog.models import GuidePage
from community import demo as people
from community.models import User
from hearth.mail import no_emails, queue_email
from referrals.models import Invite
from tests.blog.factories import write_guide
from tests.factories import PASSWORD
from tests.tasks import run_task_worker

SIGNUP = "/accounts/signup/"
INVITE = "/referrals/invite/"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class RefusingEmailBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


REFUSING = f"{__name__}.RefusingEmailBackend"


def _sign_up(client, email: str = "new@example.com"):
    return client.post(
        SIGNUP,
        {"email": email, "username": "newbie", "password1": PASSWORD, "password2": PASSWORD},
    )


def _queued_emails() -> list[dict]:
    return [
        json.loads(json.dumps(task.args_kwargs))["kwargs"]
        for task in DBTaskResult.objects.filter(task_path="hearth.mail.send_email").order_by(
            "enqueued_at"
        )
    ]


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_queues_the_verification_email_and_the_worker_sends_it(client, database_tasks):
    response = _sign_up(client)
    assert response.status_code == 302
    assert mail.outbox == []
    [queued] = _queued_emails()
    assert queued["to"] == ["new@example.com"]
    assert "/accounts/confirm-email/" in queued["body"]

    run_task_worker()

    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert message.subject == queued["subject"]
    assert "/accounts/confirm-email/" in message.body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_an_invite_queues_its_email_and_the_worker_sends_it(member, member_client, database_tasks):
    response = member_client.post(INVITE, {"emails": "ana@example.org", "note": "Come bake!"})
    assert response.status_code == 302
    assert mail.outbox == []
    [queued] = _queued_emails()
    assert queued["to"] == ["ana@example.org"] and "Come bake!" in queued["body"]

    run_task_worker()

    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "Come bake!" in message.body


@pytest.mark.django_db(transaction=True)
def test_wagtails_review_request_to_editors_is_queued_not_sent_in_the_members_request(
    member, member_client, editor, database_tasks
):
    guide = write_guide(member)
    response = member_client.post(f"/guides/{guide.pk}/submit/")
    assert response.status_code == 302
    assert mail.outbox == []
    assert any(editor.email in queued["to"] for queued in _queued_emails())

    run_task_worker()

    assert any(editor.email in message.to for message in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_kept_as_a_failed_task_and_the_request_is_unharmed(
    client, database_tasks, settings
):
    settings.EMAIL_DELIVERY_BACKEND = REFUSING
    assert _sign_up(client).status_code == 302

    run_task_worker()

    task = DBTaskResult.objects.get()
    assert task.status == "FAILED"
    assert "SMTPServerDisconnected" in task.traceback
    assert User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_a_failing_smtp_server_does_not_turn_a_sign_up_into_an_error(client, settings, caplog):
    settings.EMAIL_DELIVERY_BACKEND = REFUSING
    with caplog.at_level(logging.WARNING):
        response = _sign_up(client)
    assert response.status_code == 302
    assert User.objects.filter(username="newbie").exists()
    assert "Could not send the email" in caplog.text
    assert "SMTPServerDisconnected" in caplog.text


@pytest.mark.django_db
def test_a_failing_smtp_server_does_not_turn_an_invite_into_an_error(
    member_client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_DELIVERY_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(INVITE, {"emails": "ana@example.org"})
    assert response.status_code == 302
    assert Invite.objects.get(email="ana@example.org").emailed is True


@pytest.mark.django_db
def test_a_queued_email_waits_for_the_commit_and_is_dropped_on_rollback(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        with contextlib.suppress(RuntimeError), transaction.atomic():
            queue_email(subject="Hello", body="Dropped", to=["a@example.org"])
            raise RuntimeError("the action failed")
        queue_email(subject="Hello", body="Kept", to=["a@example.org"])
        assert mail.outbox == []
    assert [m.body for m in mail.outbox] == ["Kept"]


@pytest.mark.django_db
def test_the_email_carries_the_html_part_reply_to_and_headers(settings):
    queue_email(
        subject="Hello",
        body="Plain",
        to=["a@example.org"],
        html="<p>Rich</p>",
        reply_to=["editor@example.org"],
        headers={"Auto-Submitted": "auto-generated"},
        after_commit=False,
    )
    [message] = mail.outbox
    assert message.alternatives == [("<p>Rich</p>", "text/html")]
    assert message.reply_to == ["editor@example.org"]
    assert message.extra_headers == {"Auto-Submitted": "auto-generated"}
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


@pytest.mark.django_db
def test_nothing_queued_inside_no_emails_is_sent_even_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        with no_emails():
            queue_email(subject="Hello", body="Dropped", to=["a@example.org"])
            queue_email(subject="Hello", body="Dropped", to=["a@example.org"], after_commit=False)
        queue_email(subject="Hello", body="Kept", to=["a@example.org"])
    assert [m.body for m in mail.outbox] == ["Kept"]


@pytest.mark.django_db
def test_the_demo_guides_decisions_email_nobody(django_capture_on_commit_callbacks):
    out = io.StringIO()
    people.load(stdout=out)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        blog_demo.load(stdout=out)
    assert GuidePage.objects.live().exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_wagtails_password_reset_is_queued_and_a_refusing_smtp_server_does_not_fail_it(
    client, editor, database_tasks, settings
):
    settings.EMAIL_DELIVERY_BACKEND = REFUSING
    response = client.post("/admin/password_reset/", {"email": editor.email})
    assert response.status_code == 302
    [queued] = _queued_emails()
    assert queued["to"] == [editor.email]

    run_task_worker()

    assert DBTaskResult.objects.get().status == "FAILED"


@pytest.mark.django_db(transaction=True)
def test_djangos_send_mail_is_delivered_by_the_task_with_everything_intact(database_tasks):
    message = EmailMultiAlternatives(
        subject="Your digest",
        body="Plain",
        from_email="Hearth <digest@example.org>",
        to=["a@example.org"],
        cc=["b@example.org"],
        bcc=["c@example.org"],
        reply_to=["editor@example.org"],
        headers={
            "List-Unsubscribe": "<https://example.org/unsubscribe/x/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative("<p>Rich</p>", "text/html")
    message.attach_alternative("# Rich", "text/markdown")
    assert message.send() == 1
    assert mail.outbox == []
    assert len(_queued_emails()) == 1

    run_task_worker()

    [sent] = mail.outbox
    assert sent.subject == "Your digest" and sent.body == "Plain"
    assert sent.from_email == "Hearth <digest@example.org>"
    assert (sent.to, sent.cc, sent.bcc) == (["a@example.org"], ["b@example.org"], ["c@example.org"])
    assert sent.reply_to == ["editor@example.org"]
    assert sent.extra_headers == {
        "List-Unsubscribe": "<https://example.org/unsubscribe/x/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert [tuple(a) for a in sent.alternatives] == [
        ("<p>Rich</p>", "text/html"),
        ("# Rich", "text/markdown"),
    ]


@pytest.mark.django_db
def test_a_refusing_smtp_server_does_not_fail_wagtails_password_reset(
    client, editor, settings, caplog
):
    # The immediate task backend runs the task in the request; its failure is the task's.
    settings.EMAIL_DELIVERY_BACKEND = REFUSING
    with caplog.at_level(logging.WARNING):
        response = client.post("/admin/password_reset/", {"email": editor.email})
    assert response.status_code == 302
    assert "Could not send the email" in caplog.text
