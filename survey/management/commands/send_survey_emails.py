"""Email the recommend survey to the members it may be put to.

    manage.py send_survey_emails [--limit 500]

Same rule as the card (survey.actions.why_not_ask: member age, interval, the contact
budget, staff only when editors say so), plus a confirmed address and survey emails left
on. Each email records its prompt in the same transaction, so running the command twice,
or at the same time, asks nobody twice. The scheduler runs it daily.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from survey.by_email import send_survey_emails


class Command(BaseCommand):
    help = "Email the recommend survey to members it may be put to. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=500,
            help="At most this many emails per run (the rest wait for the next run).",
        )

    def handle(self, *args, **options) -> None:
        limit = options["limit"]
        if limit < 0:
            raise CommandError("--limit must be 0 or more.")
        outcome = send_survey_emails(limit=limit)
        sent = ngettext("%(n)d survey email", "%(n)d survey emails", outcome.sent) % {
            "n": outcome.sent
        }
        self.stdout.write(f"Sent {sent}; {outcome.skipped} skipped.")
        if outcome.failed:
            raise CommandError(
                f"Could not email {', '.join(outcome.failed)} (tracebacks in the log); "
                "the next run tries them again."
            )
