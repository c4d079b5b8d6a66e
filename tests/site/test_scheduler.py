"""The scheduler: due times, once per slot with two schedulers, failures, --once, SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from hearth import scheduler
from hearth.models import ScheduledRun
from hearth.scheduler import DAY, HOUR, MINUTE, Job, Scheduler

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Calls:
    """Fake job bodies that record when they ran."""

    def __init__(self) -> None:
        self.runs: list[str] = []

    def job(self, name: str, *, fail: bool = False):
        def run() -> str:
            self.runs.append(name)
            if fail:
                raise RuntimeError(f"{name} broke")
            return f"{name} done"

        return run


def test_a_fifteen_minute_job_belongs_to_the_quarter_hour_it_falls_in():
    job = Job("quarterly", lambda: "", every=15 * MINUTE)
    assert job.slot(at("2026-05-04 10:29:59")) == at("2026-05-04 10:15")
    assert job.slot(at("2026-05-04 10:30:00")) == at("2026-05-04 10:30")
    assert job.next_slot(at("2026-05-04 10:29:59")) == at("2026-05-04 10:30")


def test_a_daily_job_at_three_belongs_to_yesterday_until_three():
    job = Job("nightly", lambda: "", every=DAY, at=3 * HOUR)
    assert job.slot(at("2026-05-04 02:59")) == at("2026-05-03 03:00")
    assert job.slot(at("2026-05-04 03:00")) == at("2026-05-04 03:00")
    assert job.next_slot(at("2026-05-04 03:00")) == at("2026-05-05 03:00")


def test_it_refuses_an_offset_outside_the_period():
    with pytest.raises(ValueError, match="0 <= at < every"):
        Job("odd", lambda: "", every=HOUR, at=2 * HOUR)


def test_it_sleeps_until_the_nearest_next_slot():
    runner = Scheduler(
        [
            Job("quarterly", lambda: "", every=15 * MINUTE),
            Job("nightly", lambda: "", every=DAY, at=3 * HOUR),
        ]
    )
    assert runner.seconds_until_next(at("2026-05-04 10:07:30")) == 7.5 * 60
    assert runner.seconds_until_next(at("2026-05-04 02:59:00")) == 60


def test_it_runs_each_job_once_per_slot_with_two_schedulers():
    calls = Calls()
    jobs = [
        Job("quarterly", calls.job("quarterly"), every=15 * MINUTE),
        Job("nightly", calls.job("nightly"), every=DAY, at=3 * HOUR),
    ]
    first, second = Scheduler(jobs, name="host-a:1"), Scheduler(jobs, name="host-b:1")

    with time_machine.travel(at("2026-05-04 10:05"), tick=False):
        assert [o.status for o in first.run_due()] == ["ok", "ok"]
        assert [o.status for o in second.run_due()] == ["skipped", "skipped"]
    assert calls.runs == ["quarterly", "nightly"]

    with time_machine.travel(at("2026-05-04 10:16"), tick=False):
        second.run_due()
        first.run_due()
    assert calls.runs == ["quarterly", "nightly", "quarterly"]
    runs = ScheduledRun.objects.order_by("slot", "job")
    assert [(r.job, r.slot, r.claimed_by, r.outcome) for r in runs] == [
        ("nightly", at("2026-05-04 03:00"), "host-a:1", "ok"),
        ("quarterly", at("2026-05-04 10:00"), "host-a:1", "ok"),
        ("quarterly", at("2026-05-04 10:15"), "host-b:1", "ok"),
    ]
    assert runs.get(slot=at("2026-05-04 10:00")).output == "quarterly done"


def test_a_scheduler_that_was_down_runs_the_latest_missed_slot_once():
    calls = Calls()
    runner = Scheduler([Job("quarterly", calls.job("quarterly"), every=15 * MINUTE)])
    with time_machine.travel(at("2026-05-04 10:05"), tick=False):
        runner.run_due()
    with time_machine.travel(at("2026-05-04 13:07"), tick=False):
        runner.run_due()
        runner.run_due()
    assert calls.runs == ["quarterly", "quarterly"]
    assert list(ScheduledRun.objects.order_by("slot").values_list("slot", flat=True)) == [
        at("2026-05-04 10:00"),
        at("2026-05-04 13:00"),
    ]


def test_a_failing_job_is_logged_with_its_traceback_and_does_not_stop_the_others(caplog):
    calls = Calls()
    runner = Scheduler(
        [
            Job("broken", calls.job("broken", fail=True), every=HOUR),
            Job("fine", calls.job("fine"), every=HOUR),
        ]
    )
    with (
        caplog.at_level(logging.INFO, logger="hearth.scheduler"),
        time_machine.travel(at("2026-05-04 10:05"), tick=False),
    ):
        outcomes = runner.run_due()
    assert [(o.job, o.status) for o in outcomes] == [("broken", "failed"), ("fine", "ok")]
    assert calls.runs == ["broken", "fine"]
    [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure.getMessage().startswith(
        "job=broken slot=2026-05-04T10:00:00+00:00 outcome=failed"
    )
    assert "RuntimeError: broken broke" in caplog.text
    broken = ScheduledRun.objects.get(job="broken")
    assert broken.outcome == "failed" and "RuntimeError: broken broke" in broken.output
    [line] = [r.getMessage() for r in caplog.records if "job=fine" in r.getMessage()]
    assert "outcome=ok duration=" in line and "output='fine done'" in line


def test_a_failed_slot_is_tried_again_in_the_next_one():
    attempts = Calls()
    runner = Scheduler([Job("flaky", attempts.job("flaky", fail=True), every=HOUR)])
    with time_machine.travel(at("2026-05-04 10:05"), tick=False):
        runner.run_due()
        runner.run_due()
    with time_machine.travel(at("2026-05-04 11:05"), tick=False):
        runner.run_due()
    assert attempts.runs == ["flaky", "flaky"]


def test_a_disabled_job_is_neither_run_nor_claimed():
    calls = Calls()
    runner = Scheduler([Job("off", calls.job("off"), every=HOUR, enabled=lambda: False)])
    assert runner.run_due() == []
    assert calls.runs == [] and not ScheduledRun.objects.exists()


def test_once_runs_what_is_due_and_exits(monkeypatch):
    calls = Calls()
    monkeypatch.setattr(
        scheduler,
        "SCHEDULE",
        (
            Job("quarterly", calls.job("quarterly"), every=15 * MINUTE),
            Job("nightly", calls.job("nightly"), every=DAY, at=3 * HOUR),
        ),
    )
    with time_machine.travel(at("2026-05-04 10:05"), tick=False):
        call_command("run_scheduler", "--once")
        call_command("run_scheduler", "--once")
    with time_machine.travel(at("2026-05-04 10:20"), tick=False):
        call_command("run_scheduler", "--once")
    assert calls.runs == ["quarterly", "nightly", "quarterly"]


def test_once_exits_with_an_error_naming_the_failed_job_after_running_the_rest(monkeypatch):
    calls = Calls()
    monkeypatch.setattr(
        scheduler,
        "SCHEDULE",
        (
            Job("broken", calls.job("broken", fail=True), every=HOUR),
            Job("fine", calls.job("fine"), every=HOUR),
        ),
    )
    with pytest.raises(CommandError, match="Failed: broken"):
        call_command("run_scheduler", "--once")
    assert calls.runs == ["broken", "fine"]


def test_every_job_in_the_real_schedule_runs_on_an_empty_site():
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        call_command("run_scheduler", "--once")
    outcomes = dict(ScheduledRun.objects.values_list("job", "outcome"))
    assert outcomes == {job.name: "ok" for job in scheduler.SCHEDULE}


def test_the_task_pruning_job_is_off_while_tasks_run_immediately():
    call_command("run_scheduler", "--once")
    assert not ScheduledRun.objects.filter(job="prune_db_task_results").exists()
    assert ScheduledRun.objects.filter(job="promote_active_referrals", outcome="ok").exists()


def test_it_lists_the_schedule_with_the_next_run_of_each_job(capsys):
    with time_machine.travel(at("2026-05-04 10:05"), tick=False):
        call_command("run_scheduler", "--list")
    out = capsys.readouterr().out
    assert "promote_active_referrals   every 15 min  next 2026-05-04 10:15 UTC" in out
    assert "award_top_recommenders" in out and "next 2026-05-05 00:20 UTC" in out
    assert "prune_db_task_results" in out and "(off in this configuration)" in out


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_sigterm_lets_the_running_job_finish_then_stops_the_scheduler():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("Signal handlers can only be installed from the main thread.")
    calls = Calls()

    def terminated_mid_job() -> str:
        calls.runs.append("first")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)  # the handler runs; this job still finishes
        return "finished anyway"

    runner = Scheduler(
        [
            Job("first", terminated_mid_job, every=HOUR),
            Job("second", calls.job("second"), every=HOUR),
        ]
    )
    before = signal.getsignal(signal.SIGTERM)
    started = time.monotonic()
    runner.run_forever()
    assert time.monotonic() - started < 10  # returned instead of sleeping until the next slot
    assert calls.runs == ["first"]
    assert ScheduledRun.objects.get(job="first").outcome == "ok"
    assert not ScheduledRun.objects.filter(job="second").exists()
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_two_schedulers_racing_for_the_same_slot_run_the_job_once():
    ran = []
    barrier = threading.Barrier(2)

    def slow() -> str:
        ran.append(threading.current_thread().name)
        time.sleep(0.3)  # the other scheduler tries to claim while this one works
        return ""

    jobs = [Job("slow", slow, every=HOUR)]
    outcomes: list[str] = []

    def scheduler_thread(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.extend(o.status for o in Scheduler(jobs, name=name).run_due())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=scheduler_thread, args=(f"host-{n}:1",), name=f"s{n}")
        for n in (1, 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(ran) == 1
    assert sorted(outcomes) == ["ok", "skipped"]
    [run] = ScheduledRun.objects.filter(job="slow")
    assert run.outcome == "ok" and run.finished_at is not None
