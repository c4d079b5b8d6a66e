"""Read what a soak left behind (locust's CSV files, the sampler, the server logs) and
judge it: one Markdown report, printed and written to bench/soak/last-run.md.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.soak.scenarios import PAGE_TYPE_NAMES

MB = 1024 * 1024
# A process fails the soak when its RSS grew, from the end of the warm-up to the end of
# the run, by more than RSS_GROWTH_MB *and* more than RSS_GROWTH_SHARE of its start: a
# leak, not the caches and pools a Python process fills in its first minutes.
RSS_GROWTH_MB = 64
RSS_GROWTH_SHARE = 0.25


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float | None
    p95: float | None
    p99: float | None


@dataclass
class Process:
    label: str
    pid: int
    start_rss: int | None = None  # bytes, at the end of the warm-up
    end_rss: int | None = None  # bytes, when the load stopped
    gone: bool = False  # exited (or was replaced) during the run
    cpu: float | None = None  # share of one core used over the measured window

    @property
    def growth(self) -> int | None:
        if self.start_rss is None or self.end_rss is None:
            return None
        return self.end_rss - self.start_rss

    @property
    def allowed(self) -> float:
        return max(RSS_GROWTH_MB * MB, RSS_GROWTH_SHARE * (self.start_rss or 0))

    @property
    def ok(self) -> bool:
        return not self.gone and self.growth is not None and self.growth <= self.allowed


@dataclass
class SchedulerLog:
    """What ``manage.py run_scheduler`` logged: that it started, and each job's outcome."""

    started: bool
    # (job, slot, outcome, duration) in the order logged; outcome is ok, failed or skipped
    # (the slot was claimed before, e.g. by an earlier run on the same database).
    runs: list[tuple[str, str, str, str]]
    since: str  # when it was started (UTC, ISO): a slot from then on ran during the load
    expect_during: bool = False  # the run was long enough for a slot to come round

    @property
    def at_start(self) -> list[tuple[str, str, str, str]]:
        return [run for run in self.runs if run[1] < self.since]

    @property
    def during(self) -> list[tuple[str, str, str, str]]:
        return [run for run in self.runs if run[1] >= self.since]

    @property
    def ok(self) -> bool:
        if not self.started or not self.runs:
            return False
        if any(outcome == "failed" for _, _, outcome, _ in self.runs):
            return False
        return not self.expect_during or any(r[2] == "ok" for r in self.during)


@dataclass
class Outcome:
    rows: list[Row]
    total: Row | None
    failures: list[tuple[str, str, str, int]]  # method, name, error, occurrences
    exceptions: list[tuple[int, str]]  # count, message (the load script's own errors)
    server_errors: list[tuple[int, str]]  # count, excerpt
    pg_peak: int
    pg_bound: int
    processes: list[Process]
    pg_busy_peak: int = 0  # connections not idle at the same moment
    scheduler: SchedulerLog | None = None  # None: the Procfile has no scheduler
    server_logs: list[str] = field(default_factory=list)  # the processes whose logs were read
    verdicts: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return (self.total.failures if self.total else 0) + sum(c for c, _ in self.exceptions)

    def judge(self) -> bool:
        """Fill ``verdicts`` with what failed; True when nothing did."""
        self.verdicts = []
        if self.total is None or self.total.requests == 0:
            self.verdicts.append("no requests were measured")
        if self.errors:
            self.verdicts.append(f"{self.errors:,} errors")
        if self.server_errors:
            count = sum(c for c, _ in self.server_errors)
            self.verdicts.append(f"{count:,} errors in the server logs")
        if self.pg_peak > self.pg_bound:
            self.verdicts.append(
                f"PostgreSQL connections peaked at {self.pg_peak} (bound {self.pg_bound})"
            )
        if self.scheduler is not None and not self.scheduler.ok:
            self.verdicts.append("the scheduler's log shows no start, no job run, or a failed job")
        for process in self.processes:
            if not process.ok:
                why = "exited during the run" if process.gone else "grew too much"
                self.verdicts.append(f"{process.label} (pid {process.pid}) {why}")
        return not self.verdicts


# --- reading -----------------------------------------------------------------------------


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):  # "N/A" when nothing was measured
        return None


def read_stats(prefix: Path) -> tuple[list[Row], Row | None]:
    """Per page type (in the scenario order) and the total, from ``<prefix>_stats.csv``."""
    rows: dict[str, Row] = {}
    total = None
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for record in csv.DictReader(handle):
            row = Row(
                name=record["Name"],
                requests=int(record["Request Count"]),
                failures=int(record["Failure Count"]),
                rps=float(record["Requests/s"]),
                p50=_number(record["50%"]),
                p95=_number(record["95%"]),
                p99=_number(record["99%"]),
            )
            if record["Name"] == "Aggregated":
                total = row
            else:
                rows[row.name] = row
    order = {name: i for i, name in enumerate(PAGE_TYPE_NAMES)}
    ordered = sorted(rows.values(), key=lambda r: (order.get(r.name, len(order)), r.name))
    return ordered, total


# The locustfile's own failure texts, without the exception class locust wraps them in.
_OWN_ERROR = re.compile(r"^(?:CatchResponseError|RuntimeError)\(['\"](.*)['\"]\)$", re.S)


def read_failures(prefix: Path) -> list[tuple[str, str, str, int]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        found = [
            (r["Method"], r["Name"], _OWN_ERROR.sub(r"\1", r["Error"]), int(r["Occurrences"]))
            for r in csv.DictReader(handle)
        ]
    return sorted(found, key=lambda f: -f[3])


def read_exceptions(prefix: Path) -> list[tuple[int, str]]:
    path = Path(f"{prefix}_exceptions.csv")
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return [(int(r["Count"]), r["Message"]) for r in csv.DictReader(handle)]


_STARTED = re.compile(r"hearth\.scheduler: scheduler \S+: started with \d+ jobs")
_JOB_RUN = re.compile(r"hearth\.scheduler: job=(\S+) slot=(\S+) outcome=(\w+)(?: duration=(\S+))?")


def read_scheduler_log(
    lines: list[str] | None, *, since: str, expect_during: bool = False
) -> SchedulerLog | None:
    """The scheduler's start and job runs, from its log lines (None: no scheduler ran)."""
    if lines is None:
        return None
    runs = [match.groups("") for line in lines if (match := _JOB_RUN.search(line))]
    return SchedulerLog(
        started=any(_STARTED.search(line) for line in lines),
        runs=runs,
        since=since,
        expect_during=expect_during,
    )


_TRACEBACK = "Traceback (most recent call last):"
_ERROR_LINE = re.compile(r"^(ERROR|CRITICAL)[: ]|^Internal Server Error: |^Exception in ")
_VOLATILE = re.compile(r"0x[0-9a-f]+|\b\d{2,}\b")
_PATH_TAIL = re.compile(r"(/[^/\s]+/)\S+")  # group /forum/t/1-a/ with /forum/t/2-b/


def server_errors(paths: list[Path], limit: int = 8) -> list[tuple[int, str]]:
    """Distinct errors in the server logs, most frequent first: each as its first line and
    the head and tail of its traceback (numbers and addresses ignored when grouping).

    Django's console handler prints bare messages, so an error is recognised by its shape:
    a traceback, "Internal Server Error: ..." (a 500) or uvicorn's "ERROR:" lines.
    """
    counts: Counter[str] = Counter()
    excerpts: dict[str, str] = {}
    for path in paths:
        if not path.exists():
            continue
        lines = path.read_text(errors="replace").splitlines()
        i = 0
        while i < len(lines):
            if not (_ERROR_LINE.search(lines[i]) or lines[i].startswith(_TRACEBACK)):
                i += 1
                continue
            block, i = _error_block(lines, i)
            header = _PATH_TAIL.sub(r"\1…", block[0])
            key = _VOLATILE.sub("N", f"{header} | {block[-1] if len(block) > 1 else ''}")
            counts[key] += 1
            if key not in excerpts:
                if len(block) > 10:  # the head, every exception line, the last frame
                    middle = [line for line in block[5:-3] if not line.startswith(" ")]
                    block = [*block[:5], "    ...", *middle, *block[-3:]]
                excerpts[key] = "\n".join([f"[{path.name}]", *block])
    return [(n, excerpts[key]) for key, n in counts.most_common(limit)]


def _error_block(lines: list[str], i: int) -> tuple[list[str], int]:
    """The error line at ``i`` with its traceback (chained ones too); and where it ends."""
    chain = (_TRACEBACK, "During handling", "The above")
    block = [lines[i]]
    i += 1
    while i < len(lines):
        line = lines[i]
        if line.startswith((" ", *chain)):
            block.append(line)
        elif not line.strip():
            if not (i + 1 < len(lines) and lines[i + 1].startswith(chain)):
                break
        elif block[-1].startswith(" "):  # the exception line after the frames
            block.append(line)
        else:
            break
        i += 1
    return block, i


# --- writing -----------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _mb(value: int | None) -> str:
    return "-" if value is None else f"{value / MB:,.0f}"


def _scheduler_row(log: SchedulerLog | None) -> list[str]:
    if log is None:
        return []
    return [
        f"| scheduled jobs the scheduler ran (its log): at start-up / during the load | "
        f"{len(log.at_start)} / {len(log.during)} | "
        f"{'started, >= 1 run' + (' during the load' if log.expect_during else '')}, none failed | "
        f"{'ok' if log.ok else '**no**'} |"
    ]


def _scheduler_lines(log: SchedulerLog | None) -> list[str]:
    if log is None:
        return []

    def runs(found: list[tuple[str, str, str, str]], *, slots: bool) -> str:
        said = [
            f"{job}{f' at {slot[11:16]}' if slots else ''} {outcome}"
            + (f" ({duration})" if duration else "")
            for job, slot, outcome, duration in found
        ]
        return ", ".join(said) or "none"

    return [
        "",
        f"Scheduler (`run_scheduler`, `bench/soak/logs/scheduler.err.log`): "
        f"{'started' if log.started else '**never logged its start**'}; "
        f"at start-up (each job's latest slot, run once): {runs(log.at_start, slots=False)}; "
        f"during the load (slots from {log.since[11:16]} UTC): {runs(log.during, slots=True)}.",
    ]


def render(outcome: Outcome, *, header: list[str], minutes: float) -> str:
    lines = [*header, ""]
    lines += [
        "| page type | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in outcome.rows:
        lines.append(
            f"| {row.name} | {row.requests:,} | {row.rps:,.2f} | {_ms(row.p50)} | "
            f"{_ms(row.p95)} | {_ms(row.p99)} | {row.failures:,} |"
        )
    if outcome.total is not None:
        t = outcome.total
        lines.append(
            f"| **total** | **{t.requests:,}** | **{t.rps:,.1f}** | {_ms(t.p50)} | "
            f"{_ms(t.p95)} | {_ms(t.p99)} | **{t.failures:,}** |"
        )
    lines += [
        "",
        "| resource | measured | bound | verdict |",
        "|---|---:|---:|---|",
        f"| PostgreSQL connections to the soak database (peak, sampled every second) | "
        f"{outcome.pg_peak} | {outcome.pg_bound} | "
        f"{'ok' if outcome.pg_peak <= outcome.pg_bound else '**over**'} |",
        f"| of which busy at the same moment (not idle in the pools; peak) | "
        f"{outcome.pg_busy_peak} | - | - |",
        f"| errors (failed requests and frames + load-script exceptions) | "
        f"{outcome.errors:,} | 0 | {'ok' if not outcome.errors else '**errors**'} |",
        f"| errors in the server logs ({', '.join(outcome.server_logs) or '-'}) | "
        f"{sum(c for c, _ in outcome.server_errors):,} | 0 | "
        f"{'ok' if not outcome.server_errors else '**errors**'} |",
        *_scheduler_row(outcome.scheduler),
        "",
        "| process | CPU | RSS start MB | RSS end MB | growth MB | growth | MB/min "
        "| allowed MB | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in outcome.processes:
        growth = p.growth
        share = f"{growth / p.start_rss:+.0%}" if growth is not None and p.start_rss else "-"
        rate = f"{growth / MB / minutes:+.1f}" if growth is not None and minutes > 0 else "-"
        verdict = "ok" if p.ok else ("**exited**" if p.gone else "**grew**")
        lines.append(
            f"| {p.label} | {'-' if p.cpu is None else f'{p.cpu:.0%}'} | "
            f"{_mb(p.start_rss)} | {_mb(p.end_rss)} | "
            f"{'-' if growth is None else f'{growth / MB:+,.0f}'} | {share} | {rate} | "
            f"{p.allowed / MB:,.0f} | {verdict} |"
        )
    lines += _scheduler_lines(outcome.scheduler)
    lines.append("")
    if outcome.verdicts:
        lines.append("**FAIL**: " + "; ".join(outcome.verdicts) + ".")
    else:
        lines.append(
            "**PASS**: no errors, connections within the bound, no process grew past its bound."
        )
    if outcome.failures:
        lines += ["", "Failed requests (locust), most frequent first:", ""]
        for method, name, error, n in outcome.failures[:15]:
            lines.append(f"- {n:,} × {method} {name}: {error}")
    if outcome.exceptions:
        lines += ["", "Load-script exceptions (a bug in the locustfile, not the site):", ""]
        for n, message in outcome.exceptions[:10]:
            lines.append(f"- {n:,} × {message}")
    if outcome.server_errors:
        lines += ["", "Distinct errors in the server logs, most frequent first:", ""]
        for n, excerpt in outcome.server_errors:
            lines += [f"{n:,} ×", "```", excerpt, "```"]
    return "\n".join(lines) + "\n"
