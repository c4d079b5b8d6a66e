"""One way for a rule to say no, whichever app it lives in and whoever asked.

Actions raise :class:`RuleError` (or a subclass named for its app) with a sentence for
the person and a short code for programs. Every surface shows it the same way: a form
error on the field (or the form) that caused it, a flash message after a redirect, an
``error`` frame on a socket, a JSON error from an API.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest


class RuleError(Exception):
    """A rule said no. ``message`` is written for the person; ``code`` for programs;
    ``retry_after`` (seconds) when trying again later will work."""

    code = "refused"

    def __init__(
        self, message: str, *, code: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


def add_to_form(form: forms.BaseForm, error: RuleError, field: str | None = None) -> None:
    """Show the refusal on the form, beside ``field`` or at the top."""
    form.add_error(field, error.message)


def form_errors_as_text(form: forms.BaseForm) -> str:
    """Every error of a form, in one line (for a flash message after a redirect)."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def flash(request: HttpRequest, error: RuleError | forms.BaseForm) -> None:
    """Tell the person after a redirect: a refusal, or a form's errors."""
    text = error.message if isinstance(error, RuleError) else form_errors_as_text(error)
    messages.error(request, text)
