"""Scheduled jobs: the one table of what runs when, and the loop that runs it.

``manage.py run_scheduler`` runs :data:`SCHEDULE` from one process (the Procfile's
``scheduler``). Each job repeats with a period (``every``) and an offset into it (``at``),
counted in UTC from the Unix epoch: every 15 minutes means :00, :15, :30 and :45; daily
at 03:00 means 03:00 UTC. The period a moment falls in is the job's *slot*.

A job is due when nobody has claimed its current slot. Claiming is inserting a
:class:`~hearth.models.ScheduledRun` row, unique per (job, slot), so two schedulers
started by mistake still run each job once per slot, and a scheduler that was down runs
the latest missed slot once when it comes back (never a backlog). Every job is an
idempotent command, so a slot that failed is simply tried again in the next one.
"""

from __future__ import annotations

import io
import logging
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from hearth.models import ScheduledRun

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# The loop wakes at least this often, so a changed clock or a database that was away
# costs at most this long.
MAX_SLEEP = 60.0
RUN_RECORDS_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class ManagementCommand:
    """A job that is a management command; returns what the command printed."""

    name: str
    args: tuple[str, ...] = ()

    def __call__(self) -> str:
        out = io.StringIO()
        call_command(self.name, *self.args, stdout=out, stderr=out)
        return out.getvalue()

    def __str__(self) -> str:
        return " ".join(("manage.py", self.name, *self.args))


def _always() -> bool:
    return True


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], str | None]
    every: timedelta
    at: timedelta = timedelta(0)
    enabled: Callable[[], bool] = field(default=_always, repr=False)

    def __post_init__(self) -> None:
        if self.every <= timedelta(0) or not timedelta(0) <= self.at < self.every:
            raise ValueError(f"{self.name}: need every > 0 and 0 <= at < every.")

    def slot(self, now: datetime) -> datetime:
        """The start of the period ``now`` falls in."""
        periods = (now - EPOCH - self.at) // self.every
        return EPOCH + self.at + periods * self.every

    def next_slot(self, now: datetime) -> datetime:
        return self.slot(now) + self.every

    @property
    def description(self) -> str:
        if isinstance(self.run, ManagementCommand):
            return str(self.run)
        return f"{self.run.__module__}.{self.run.__qualname__}()"


def _tasks_in_database() -> bool:
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def prune_scheduled_runs() -> str:
    cutoff = timezone.now() - RUN_RECORDS_KEPT
    deleted, _ = ScheduledRun.objects.filter(started_at__lt=cutoff).delete()
    return ngettext(
        "Deleted %(n)d scheduled-run record older than %(days)d days.",
        "Deleted %(n)d scheduled-run records older than %(days)d days.",
        deleted,
    ) % {"n": deleted, "days": RUN_RECORDS_KEPT.days}


def daily_at_site_time(hour: int) -> timedelta:
    """The offset into the UTC day of ``hour`` o'clock in the site's time zone.

    Slots are counted in UTC, so this is the zone's offset on 1 January: for the rest of
    the year summer time moves the run by an hour, still far from local midnight, so the
    job never skips or repeats a local day.
    """
    offset = datetime(2001, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).utcoffset() or timedelta(0)
    return (hour * HOUR - offset) % DAY


SCHEDULE: tuple[Job, ...] = (
    Job(
        "promote_active_referrals", ManagementCommand("promote_active_referrals"), every=15 * MINUTE
    ),
    # Wagtail's scheduled publishing (go-live and expiry dates set by editors).
    Job("publish_scheduled", ManagementCommand("publish_scheduled"), every=5 * MINUTE),
    # Bookmark reminders that are due ring the member's bell, each once.
    Job(
        "send_bookmark_reminders",
        ManagementCommand("send_bookmark_reminders"),
        every=5 * MINUTE,
        at=2 * MINUTE,
    ),
    # Private messages unread for 15 minutes, emailed once per conversation until read.
    Job(
        "send_message_emails",
        ManagementCommand("send_message_emails"),
        every=5 * MINUTE,
        at=1 * MINUTE,
    ),
    # Last month's awards; re-running changes nothing, so daily runs are a free retry.
    Job(
        "award_top_recommenders",
        ManagementCommand("award_top_recommenders"),
        every=DAY,
        at=20 * MINUTE,
    ),
    # Birthdays and join anniversaries of the day in the site's time zone; re-running
    # greets nobody twice. Mid-morning local time, so the day never changes under it.
    Job("send_greetings", ManagementCommand("send_greetings"), every=DAY, at=daily_at_site_time(8)),
    # One-year members and 30-day visit streaks that ended yesterday; granting is
    # idempotent, so a re-run grants nothing twice.
    Job("grant_badges", ManagementCommand("grant_badges"), every=DAY, at=daily_at_site_time(1)),
    # The recommend survey by email to members it may be put to; the prompt it records
    # means a second run asks nobody twice. Late morning local time.
    Job(
        "send_survey_emails",
        ManagementCommand("send_survey_emails"),
        every=DAY,
        at=daily_at_site_time(10),
    ),
    # The weekly digest for members who have been away; at most one per member a week,
    # so the daily run is a retry. Early morning local time, to be read with breakfast.
    Job("send_digests", ManagementCommand("send_digests"), every=DAY, at=daily_at_site_time(7)),
    Job("clearsessions", ManagementCommand("clearsessions"), every=DAY, at=3 * HOUR),
    # Finished tasks older than 14 days (only when tasks are kept in the database).
    Job(
        "prune_db_task_results",
        ManagementCommand("prune_db_task_results", ("--queue-name", "*")),
        every=DAY,
        at=3 * HOUR + 10 * MINUTE,
        enabled=_tasks_in_database,
    ),
    Job("prune_scheduled_runs", prune_scheduled_runs, every=DAY, at=3 * HOUR + 20 * MINUTE),
)


@dataclass(frozen=True)
class Outcome:
    job: str
    slot: datetime
    status: str  # "ok", "failed" or "skipped" (another scheduler has the slot)
    duration: float = 0.0


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class Scheduler:
    def __init__(self, jobs: Sequence[Job] = SCHEDULE, *, name: str = "") -> None:
        self.jobs = tuple(jobs)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self._stopping = threading.Event()
        # The slot of each job this process already ran or saw claimed: no need to ask
        # the database again until the next slot.
        self._handled: dict[str, datetime] = {}

    # --- one pass -------------------------------------------------------------------

    def run_due(self, now: datetime | None = None) -> list[Outcome]:
        """Run every enabled job whose current slot nobody has claimed yet."""
        now = now or timezone.now()
        outcomes = []
        for job in self.jobs:
            if self._stopping.is_set():
                break
            slot = job.slot(now)
            if self._handled.get(job.name) == slot or not job.enabled():
                continue
            outcomes.append(self._run_once(job, slot))
            self._handled[job.name] = slot
        return outcomes

    def _run_once(self, job: Job, slot: datetime) -> Outcome:
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(
                    job=job.name, slot=slot, started_at=timezone.now(), claimed_by=self.name
                )
        except IntegrityError:
            holder = (
                ScheduledRun.objects.filter(job=job.name, slot=slot)
                .values_list("claimed_by", flat=True)
                .first()
            )
            logger.info(
                "job=%s slot=%s outcome=skipped (claimed by %s)", job.name, slot.isoformat(), holder
            )
            return Outcome(job.name, slot, "skipped")
        started = time.monotonic()
        try:
            output = job.run() or ""
        except Exception:
            duration = time.monotonic() - started
            logger.exception(
                "job=%s slot=%s outcome=failed duration=%.3fs", job.name, slot.isoformat(), duration
            )
            self._finish(run, ScheduledRun.Outcome.FAILED, traceback.format_exc())
            return Outcome(job.name, slot, "failed", duration)
        duration = time.monotonic() - started
        logger.info(
            "job=%s slot=%s outcome=ok duration=%.3fs output=%r",
            job.name,
            slot.isoformat(),
            duration,
            _one_line(output),
        )
        self._finish(run, ScheduledRun.Outcome.OK, output)
        return Outcome(job.name, slot, "ok", duration)

    def _finish(self, run: ScheduledRun, outcome: str, output: str) -> None:
        run.outcome = outcome
        run.output = output[:10_000]
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "output", "finished_at"])

    def seconds_until_next(self, now: datetime) -> float:
        upcoming = [job.next_slot(now) for job in self.jobs]
        if not upcoming:
            return MAX_SLEEP
        return max(min((when - now).total_seconds() for when in upcoming), 0.0)

    # --- the loop -------------------------------------------------------------------

    def stop(self) -> None:
        self._stopping.set()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        logger.info("scheduler %s: %s received, stopping", self.name, signal.strsignal(signum))
        self.stop()

    def run_forever(self) -> None:
        """Run due jobs until stop() or SIGTERM/SIGINT; a running job is let finish."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, self._on_signal)
        logger.info("scheduler %s: started with %d jobs", self.name, len(self.jobs))
        try:
            while not self._stopping.is_set():
                # As between two requests: drop a connection that broke or grew too old.
                close_old_connections()
                try:
                    self.run_due()
                    wait = self.seconds_until_next(timezone.now())
                except Exception:  # the database went away: say so and try again soon
                    logger.exception("scheduler %s: a pass failed; retrying", self.name)
                    wait = MAX_SLEEP / 2
                self._stopping.wait(min(wait + 0.05, MAX_SLEEP))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            close_old_connections()
            logger.info("scheduler %s: stopped", self.name)
