"""Run the scheduled jobs (hearth.scheduler.SCHEDULE) from one process.

    manage.py run_scheduler          # run forever; SIGTERM or Ctrl-C stops it cleanly
    manage.py run_scheduler --once   # run what is due now, then exit (1 if a job failed)
    manage.py run_scheduler --list   # print the schedule and when each job runs next

Starting two by mistake is harmless: each job runs once per slot, whoever claims it.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hearth import scheduler


class Command(BaseCommand):
    help = "Run the scheduled jobs (referral promotion, awards, daily clean-ups)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit.")
        parser.add_argument(
            "--list", action="store_true", dest="list_jobs", help="Print the schedule and exit."
        )

    def handle(self, *args, once: bool = False, list_jobs: bool = False, **options) -> None:
        runner = scheduler.Scheduler(scheduler.SCHEDULE)
        if list_jobs:
            self._print_schedule(runner)
        elif once:
            outcomes = runner.run_due()
            failed = [outcome.job for outcome in outcomes if outcome.status == "failed"]
            if failed:
                raise CommandError(f"Failed: {', '.join(failed)} (tracebacks above).")
        else:
            runner.run_forever()

    def _print_schedule(self, runner: scheduler.Scheduler) -> None:
        now = timezone.now()
        for job in runner.jobs:
            state = "" if job.enabled() else "  (off in this configuration)"
            self.stdout.write(
                f"{job.name:<26} every {_period(job.every):<7} "
                f"next {job.next_slot(now):%Y-%m-%d %H:%M} UTC  {job.description}{state}"
            )


def _period(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440} d"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"
