"""Email this week's digest to members who have been away (community.digest).

The scheduler (``manage.py run_scheduler``) runs it daily; a member gets at most one
digest an ISO week, so re-runs and overlapping runs send nobody a second one.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from community.digest import send_digests


class Command(BaseCommand):
    help = "Email the weekly digest to members who have been away (each at most once a week)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="at most this many emails")

    def handle(self, *args, limit: int, **options) -> None:
        outcome = send_digests(limit=max(limit, 0))
        self.stdout.write(
            f"{outcome.sent} digest{'s' if outcome.sent != 1 else ''} queued, "
            f"{outcome.skipped} with nothing to say, {len(outcome.failed)} failed."
        )
        if outcome.failed:
            self.stderr.write("Failed for: " + ", ".join(outcome.failed))
