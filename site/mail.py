"""Email goes out from a task, never from the request.

Every sender renders its message and calls :func:`queue_email`; the one task,
:func:`send_email`, receives plain strings only, so it works with the database queue
(``django_tasks_db``) as well as with the default immediate backend. A failing SMTP
server fails the task (logged with its traceback by django-tasks, kept as a failed task
by the database backend), never the request that asked for the email.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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
) -> int:
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to,
        headers=headers,
    )
    if html:
        message.attach_alternative(html, "text/html")
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
    if after_commit:
        commit.after_commit(lambda: _enqueue(kwargs), what=f"queueing the email {subject!r}")
    else:
        _enqueue(kwargs)


def _enqueue(kwargs: dict[str, Any]) -> None:
    try:
        send_email.enqueue(**kwargs)
    except Exception:  # the action is saved; losing one email must not turn it into a 500
        logger.exception("Could not queue the email %r", kwargs["subject"])


@contextmanager
def no_emails() -> Iterator[None]:
    """Queue no email for anything done inside the block (the demo loader's decisions about
    demo people). Decided when the email is queued, so it holds after the block's commit."""
    token = _dropped.set(True)
    try:
        yield
    finally:
        _dropped.reset(token)
