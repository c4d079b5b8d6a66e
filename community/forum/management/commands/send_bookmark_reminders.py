"""Ring the bell for bookmark reminders that are due.

The scheduler (``manage.py run_scheduler``, hearth.scheduler.SCHEDULE) runs it every 5
minutes. Idempotent: each reminder is claimed before it rings, so overlapping or repeated
runs ring nobody twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from community.forum.actions import send_bookmark_reminders


class Command(BaseCommand):
    help = "Send the bookmark reminders that are due (each once)."

    def handle(self, *args, **options) -> None:
        rang = send_bookmark_reminders()
        self.stdout.write(f"{rang} bookmark reminder{'s' if rang != 1 else ''} sent.")
