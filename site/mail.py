"""Email goes out from a task, never from the request.

Every sender renders its message and calls :func:`queue_email`; the one task,
:func:`send_email`, receives plain strings only, so it works with the database queue
(``django_tasks_db``) as well as with the default immediate backend. A failing SMTP
server fails the task (logged with its traceback by django-tasks, kept as a failed task
by the database backend), never the request that asked for the email.

Senders we do not own (Django's ``send_mail``, Wagtail's comment notifications and
password reset, error mails to ``ADMINS``) use ``EMAIL_BACKEND``, which is
:class:`QueueingBackend`: it queues each message through the same task. The task alone
talks to the real backend, ``EMAIL_DELIVERY_BACKEND`` (SMTP, console, locmem in tests).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks import task

from hearth import commit

logger = logging.getLogger(__name__)
_dropped: ContextVar[bool] = ContextVar("hearth_mail_dropped", default=False)


@task()
def send_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    cc: list[str] | None = None,
    bcc: list[str] | None = None,
    alternatives: list[list[str]] | None = None,
) -> int:
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        cc=cc,
        bcc=bcc,
        reply_to=reply_to,
        headers=headers,
        connection=get_connection(settings.EMAIL_DELIVERY_BACKEND),
    )
    if html:
        message.attach_alternative(html, "text/html")
    for content, mimetype in alternatives or []:
        message.attach_alternative(content, mimetype)
    try:
        return message.send()
    except Exception:
        # django-tasks logs the traceback; this line says which email it was.
        logger.warning("Could not send the email %r to %d recipient(s)", subject, len(to))
        raise


def queue_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    cc: list[str] | None = None,
    bcc: list[str] | None = None,
    alternatives: list[tuple[str, str]] | None = None,
    after_commit: bool = True,
) -> None:
    """Queue an email, by default once the current transaction commits.

    Waiting for the commit means a rolled-back action never emails anyone.
    ``after_commit=False`` enqueues at once: for senders we do not own (allauth, Wagtail)
    that always sent at once. With the database backend the task row is then saved in
    their transaction, so it still cannot go out for work that was rolled back.
    """
    if _dropped.get():
        return
    kwargs: dict[str, Any] = {
        "subject": subject,
        "body": body,
        "to": list(to),
        "from_email": from_email,
        "html": html,
        "reply_to": list(reply_to) if reply_to else None,
        "headers": dict(headers) if headers else None,
    }
    # Only what was given, so a task queued by an older release still matches.
    if cc:
        kwargs["cc"] = list(cc)
    if bcc:
        kwargs["bcc"] = list(bcc)
    if alternatives:
        kwargs["alternatives"] = [[str(content), mimetype] for content, mimetype in alternatives]
    if after_commit:
        commit.after_commit(lambda: _enqueue(kwargs), what=f"queueing the email {subject!r}")
    else:
        _enqueue(kwargs)


def _enqueue(kwargs: dict[str, Any]) -> None:
    try:
        send_email.enqueue(**kwargs)
    except Exception:  # the action is saved; losing one email must not turn it into a 500
        logger.exception("Could not queue the email %r", kwargs["subject"])


class QueueingBackend(BaseEmailBackend):
    """``EMAIL_BACKEND``: each message is queued at once (the callers we do not own always
    sent at once) and delivered by :func:`send_email` with ``EMAIL_DELIVERY_BACKEND``; a
    failing server fails that task, never the request (with the database task backend,
    the request does not even wait for it).

    Attachments are not carried (no sender of ours or Wagtail's attaches files): a message
    with one is refused loudly rather than sent without it.
    """

    def send_messages(self, email_messages: Any) -> int:
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            if message.attachments:
                raise ValueError(f"Queued email {message.subject!r} cannot carry attachments.")
            queue_email(after_commit=False, **_as_task_kwargs(message))
            count += 1
        return count


def _as_task_kwargs(message: EmailMessage) -> dict[str, Any]:
    alternatives = [
        (str(content), mimetype) for content, mimetype in getattr(message, "alternatives", [])
    ]
    html = next((content for content, mimetype in alternatives if mimetype == "text/html"), None)
    if html is not None:
        alternatives.remove((html, "text/html"))
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "to": [str(address) for address in message.to],
        "cc": [str(address) for address in message.cc],
        "bcc": [str(address) for address in message.bcc],
        "from_email": str(message.from_email) if message.from_email else None,
        "reply_to": [str(address) for address in message.reply_to],
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "html": html,
        "alternatives": alternatives,
    }


@contextmanager
def no_emails() -> Iterator[None]:
    """Queue no email for anything done inside the block (the demo loader's decisions about
    demo people). Decided when the email is queued, so it holds after the block's commit."""
    token = _dropped.set(True)
    try:
        yield
    finally:
        _dropped.reset(token)
