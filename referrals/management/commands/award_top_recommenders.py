"""Choose a month's top recommenders: top 3 by converted referrals, ties included.

    manage.py award_top_recommenders                 # last month
    manage.py award_top_recommenders --period 2026-04

Safe to run twice or at the same time: the first run claims the month and writes its
one award set; any other run reports it and changes nothing. The scheduler
(``manage.py run_scheduler``) runs it daily, so a failed first-of-month run is retried.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from referrals.awards import award_top_recommenders
from referrals.periods import PeriodError, month_of, parse_month


class Command(BaseCommand):
    help = "Award the top recommenders of a month (default: last month). Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", help="The month as YYYY-MM (default: last month).")

    def handle(self, *args, period: str | None = None, **options) -> None:
        current = month_of()
        if period is not None:
            try:
                month = parse_month(period)
            except PeriodError as exc:
                raise CommandError(str(exc)) from None
            if month.start >= current.start:
                raise CommandError(
                    f"{month.label} has not ended yet; awards are for finished months "
                    f"(the latest is {current.previous().key})."
                )
        else:
            month = current.previous()
        outcome = award_top_recommenders(period=month)
        names = ", ".join(f"#{a.rank} {a.member.username} ({a.converted})" for a in outcome.awards)
        if not outcome.created:
            self.stdout.write(
                f"{month.label} was already awarded on {outcome.run.created_at:%Y-%m-%d %H:%M}; "
                f"nothing changed. Winners: {names or 'none'}."
            )
        elif outcome.awards:
            self.stdout.write(self.style.SUCCESS(f"Top recommenders of {month.label}: {names}."))
        else:
            self.stdout.write(f"Nobody converted a referral in {month.label}; no awards.")
