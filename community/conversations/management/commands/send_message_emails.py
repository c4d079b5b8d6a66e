"""Email members about private messages unread for 15 minutes: one email per
conversation until they read it (community.conversations.actions.send_unread_emails).
Idempotent; the scheduler runs it every 5 minutes."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from community.conversations.actions import send_unread_emails


class Command(BaseCommand):
    help = "Email members about private messages they have not read for 15 minutes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, limit: int, **options) -> None:
        outcome = send_unread_emails(limit=max(1, limit))
        self.stdout.write(
            ngettext(
                "Queued %(n)d email about unread messages",
                "Queued %(n)d emails about unread messages",
                outcome.sent,
            )
            % {"n": outcome.sent}
            + (f" ({outcome.skipped} already sent by another run)." if outcome.skipped else ".")
        )
