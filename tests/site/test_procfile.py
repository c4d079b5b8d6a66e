"""The Procfile that `make serve` and production hosts run under honcho."""

from __future__ import annotations

import logging
import shlex
from pathlib import Path

import pytest
from honcho.environ import parse_procfile

from community.chat.protocol import MAX_FRAME_BYTES

ROOT = Path(__file__).resolve().parents[2]


def _processes() -> dict[str, str]:
    return dict(parse_procfile((ROOT / "Procfile").read_text()).processes)


def test_it_runs_the_web_the_task_worker_and_one_scheduler_with_web_first():
    # honcho hands $PORT to the first process only.
    assert list(_processes()) == ["web", "worker", "scheduler"]
    assert _processes()["worker"] == "python manage.py db_worker"
    assert _processes()["scheduler"] == "python manage.py run_scheduler"


def test_uvicorn_refuses_websocket_frames_larger_than_the_chat_protocol_allows():
    web = shlex.split(_processes()["web"])
    assert web[:2] == ["uvicorn", "hearth.asgi:application"]
    options = {
        flag: value
        for flag, value in zip(web, [*web[1:], ""], strict=True)
        if flag.startswith("--") and not value.startswith("--")
    }
    assert options["--ws-max-size"] == str(MAX_FRAME_BYTES)
    assert options["--ws"] == "websockets-sansio"
    assert options["--ws-per-message-deflate"] == "false"
    assert options["--workers"] == "${WEB_WORKERS:-2}"
    assert "--proxy-headers" in web


def _soak_settings(*, workers: int, pool_max: int):
    from bench.soak.run import Settings

    return Settings(
        minutes=1,
        users=1,
        workers=workers,
        spawn_rate=1,
        database_url="postgres://postgres@127.0.0.1:5432/hearth_soak",
        redis_url="redis://127.0.0.1:6379/0",
        pool_max=pool_max,
        fresh=False,
    )


def test_the_soak_runs_every_process_of_the_procfile_and_bounds_their_connections():
    from bench.soak.run import LABELS, procfile_processes

    # What `make bench-soak` starts is what `make serve` (honcho) starts, line for line.
    assert procfile_processes() == list(_processes().items())
    assert {"worker", "scheduler"} <= set(LABELS)
    # Every uvicorn worker and every other process holds a pool of its own.
    assert _soak_settings(workers=3, pool_max=10).pg_bound == 10 * (3 + 1 + 1)


@pytest.mark.django_db(transaction=True)
def test_the_soak_reads_what_the_scheduler_logs(caplog):
    from bench.soak.report import read_scheduler_log
    from hearth import scheduler

    def say_hi() -> str:
        runner.stop()  # after this job, run_forever logs its stop and returns
        return "hi"

    runner = scheduler.Scheduler([scheduler.Job("say_hi", say_hi, every=scheduler.MINUTE)])
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")  # settings.LOGGING
    with caplog.at_level(logging.INFO, logger="hearth.scheduler"):
        runner.run_forever()
    lines = [formatter.format(record) for record in caplog.records]

    log = read_scheduler_log(lines, since="1970-01-01T00:00:00+00:00", expect_during=True)

    assert log is not None and log.started
    assert [(job, outcome) for job, _, outcome, _ in log.during] == [("say_hi", "ok")]
    assert log.ok
    started_only = read_scheduler_log(lines[:1], since="1970-01-01T00:00:00+00:00")
    assert started_only is not None and not started_only.ok  # alive but ran nothing
