"""Greet today's birthdays and join anniversaries (bell, email, the birthday bonus).

    manage.py send_greetings

"Today" is the date in the site's time zone (TIME_ZONE). Safe to run twice or at the
same time: each member is greeted once per kind and day (referrals.greetings). The
scheduler (``manage.py run_scheduler``) runs it daily.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from referrals.greetings import send_greetings, site_today


class Command(BaseCommand):
    help = "Greet members on their birthday and join anniversary (site time zone). Idempotent."

    def handle(self, *args, **options) -> None:
        today = site_today()
        outcome = send_greetings(on=today)
        birthdays = ngettext(
            "%(n)d birthday greeting", "%(n)d birthday greetings", outcome.birthdays
        ) % {"n": outcome.birthdays}
        anniversaries = ngettext(
            "%(n)d anniversary greeting", "%(n)d anniversary greetings", outcome.anniversaries
        ) % {"n": outcome.anniversaries}
        bonuses = ngettext("%(n)d birthday bonus", "%(n)d birthday bonuses", outcome.bonuses) % {
            "n": outcome.bonuses
        }
        self.stdout.write(
            f"{today:%Y-%m-%d}: sent {birthdays} and {anniversaries}; paid {bonuses}."
        )
        if outcome.failed:
            raise CommandError(
                f"Could not greet {', '.join(outcome.failed)} (tracebacks in the log); "
                "running the command again today retries them."
            )
