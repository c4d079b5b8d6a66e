"""Ceiling: the one-room fan-out, stepped up until the bare server saturates.

    python -m bench.chat_fanout --scenario ceiling
    python -m bench.chat_fanout --scenario ceiling --rates 100,300 --seconds 2   # quicker

The fan-out run of run.py, with two changes so the client is not the limit: the
listening sockets are spread over ``--processes`` worker processes (loadgen.py; arrival
times on the machine-wide monotonic clock) and the rates go on up. Bare runs first; a
server's run ends at the first step that delivers less than 70 % of its offered load.

Bare's saturation point is its best step (most deliveries/s). Reported: Hearth's
deliveries/s at that same step / bare's (target >= 0.8x), and both servers' best.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.chat_fanout import loadgen, run
from bench.chat_fanout.run import Step

DEFAULT_RATES = "34,60,100,150,200,300,400,600,800"
SERVERS = ("bare", "hearth")


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.chat_fanout --scenario ceiling", description=__doc__
    )
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--rates", default=DEFAULT_RATES, help="messages/s per step")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each step")
    parser.add_argument("--processes", type=int, default=2, help="client processes (>= 2)")
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument(
        "--tasks",
        choices=["worker", "immediate"],
        default="worker",
        help="worker (production: the database task backend and one db_worker beside "
        "Hearth) or immediate (what follows a message runs in the server)",
    )
    args = parser.parse_args(argv)
    args.layer = "memory"
    args.redis_url = ""
    args.rate_list = [float(r) for r in args.rates.split(",") if r.strip()]
    args.server_list = [s.strip() for s in args.servers.split(",") if s.strip()]
    if set(args.server_list) - set(SERVERS):
        parser.error(f"servers are among {', '.join(SERVERS)}")
    if not args.rate_list or min(args.rate_list) <= 0:
        parser.error("rates must be positive numbers")
    return args


async def measure(kind: str, port: int, args, sessions, sender_session) -> list[Step]:
    url = run._urls(kind, port)
    origin = f"http://127.0.0.1:{port}"
    hearth = kind == "hearth"
    targets = [loadgen.Target(url, sessions[i] if hearth else None) for i in range(args.clients)]
    pool = loadgen.ClientPool(targets, origin, processes=args.processes)
    opened = await pool.start()
    print(f"  {kind}: {opened} clients in {pool.processes} processes", flush=True)
    sender = await loadgen.open_socket(url, origin, sender_session if hearth else None)
    drain = asyncio.create_task(loadgen.listen(sender, loadgen.Recorder()))
    await asyncio.sleep(2)  # let join/presence traffic settle
    steps: list[Step] = []
    seq = 0
    try:
        for rate in args.rate_list:
            step = Step(server=kind, rate=rate, clients=opened)
            await pool.record()
            sent_at: dict[int, float] = {}
            count = max(1, int(rate * args.seconds))
            interval = 1.0 / rate
            start = time.monotonic()
            step.first_send = start
            for k in range(count):
                delay = start + k * interval - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                seq += 1
                sent_at[seq] = time.monotonic()
                await sender.send(json.dumps({"type": "send", "body": f"{loadgen.MARK}{seq}# hi"}))
            step.sent = count
            seqs, times = await pool.collect([count * len(share) for share in pool.shares])
            for s, t in zip(seqs, times, strict=True):
                sent = sent_at.get(s)
                if sent is None:  # a straggler from the previous step
                    continue
                step.received += 1
                step.latencies.append(t - sent)
                step.last_arrival = max(step.last_arrival, t)
            steps.append(step)
            row = step.row()
            print(
                f"  {kind:<6} {rate:>5.0f} msg/s  offered {row['offered']:>8,.0f}/s  "
                f"delivered {row['deliveries_per_second']:>8,}/s  p50 {row['p50_ms']:>7} ms  "
                f"p99 {row['p99_ms']:>7} ms  reach {row['reach']:.3f}",
                flush=True,
            )
            if step.deliveries_per_second < run.SATURATED_BELOW * rate * opened:
                print(f"  {kind:<6} saturated: higher steps skipped", flush=True)
                break
            await asyncio.sleep(0.5)
    finally:
        await loadgen.close_socket(sender)
        drain.cancel()
        await pool.close()
    return steps


def summarise(results: dict[str, list[Step]]) -> dict:
    bare = results.get("bare") or []
    hearth = results.get("hearth") or []
    summary: dict = {}
    if not bare or not hearth:
        return summary
    peak = max(bare, key=lambda s: s.deliveries_per_second)
    # Saturated: some step fell short of its offered load (by 10 % or more).
    saturated = any(s.deliveries_per_second < 0.9 * s.rate * s.clients for s in bare)
    at_peak = next((s for s in hearth if s.rate == peak.rate), None)
    # Hearth stopped at a lower step (it saturated there): its best is its ceiling.
    hearth_at = (
        at_peak.deliveries_per_second if at_peak else max(s.deliveries_per_second for s in hearth)
    )
    summary.update(
        bare_peak_rate=peak.rate,
        bare_peak=round(peak.deliveries_per_second),
        bare_saturated=saturated,
        hearth_at_bare_peak=round(hearth_at),
        hearth_best=round(max(s.deliveries_per_second for s in hearth)),
        ratio=round(hearth_at / peak.deliveries_per_second, 3) if peak.deliveries_per_second else 0,
        reach=min(s.reach for s in hearth),
    )
    summary["met"] = summary["ratio"] >= 0.8
    return summary


def report(results: dict[str, list[Step]], args, summary: dict) -> str:
    lines = [
        f"scenario: ceiling   clients: {args.clients} in {args.processes} processes   "
        f"step: {args.seconds:g} s   rates (msg/s): {args.rates}   tasks: {args.tasks}",
        "",
    ]
    rows = []
    for kind, steps in results.items():
        for step in steps:
            row = step.row()
            rows.append(
                [
                    kind,
                    f"{row['rate']:g}",
                    f"{row['offered']:,.0f}",
                    f"{row['deliveries_per_second']:,}",
                    row["p50_ms"],
                    row["p99_ms"],
                    f"{row['reach']:.3f}",
                ]
            )
    lines += loadgen.table(
        ["server", "msg/s", "offered/s", "deliveries/s", "p50 ms", "p99 ms", "reach"], rows
    )
    if summary:
        lines += [
            "",
            f"bare's saturation point: {summary['bare_peak_rate']:g} msg/s, "
            f"{summary['bare_peak']:,} deliveries/s"
            + ("" if summary["bare_saturated"] else " (NOT saturated: add higher --rates)"),
            "",
        ]
        lines += loadgen.table(
            ["measure", "value", "target", "met"],
            [
                [
                    "hearth / bare deliveries/s at bare's saturation point",
                    f"{summary['ratio']:.2f}x ({summary['hearth_at_bare_peak']:,} / "
                    f"{summary['bare_peak']:,})",
                    ">= 0.8x",
                    loadgen.verdict(summary["met"]),
                ],
                ["hearth best deliveries/s", f"{summary['hearth_best']:,}", "", ""],
                [
                    "hearth lowest reach",
                    f"{summary['reach']:.3f}",
                    "1.000",
                    loadgen.verdict(summary["reach"] >= 1),
                ],
            ],
            right={1, 2},
        )
    return "\n".join(lines)


async def _run(args, env, sessions, sender_session) -> dict[str, list[Step]]:
    results: dict[str, list[Step]] = {}
    for kind in args.server_list:
        port = run._free_port()
        process = run._start_server(kind, port, env)
        worker = run.start_task_worker(env) if kind == "hearth" and args.tasks == "worker" else None
        try:
            await run._wait_for_port(port, process)
            results[kind] = await measure(kind, port, args, sessions, sender_session)
        finally:
            run._stop(process)
            if worker is not None:
                run._stop(worker)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loadgen.raise_file_limit()
    workdir = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    try:
        env = run._configure_environment(args, workdir)
        os.environ.pop("DATABASE_URL", None)  # the SQLite file of this run
        if args.tasks == "worker":
            env["TASKS_BACKEND"] = os.environ["TASKS_BACKEND"] = run.DATABASE_TASKS
        sessions, sender_session = None, None
        if "hearth" in args.server_list:
            print("Preparing a fresh database (migrate, members, sessions)…", flush=True)
            sessions, sender_session = run._prepare_database(args.clients)
        started = time.monotonic()
        results = loadgen.run_loop(_run(args, env, sessions, sender_session))
        summary = summarise(results)
        print()
        print(report(results, args, summary))
        elapsed = time.monotonic() - started
        print(f"\n(measured in {elapsed:.0f} s; load average {loadgen.load_average()})")
        loadgen.write_result(
            "ceiling",
            {
                "args": {k: v for k, v in vars(args).items() if k != "redis_url"},
                "steps": {k: [s.row() for s in v] for k, v in results.items()},
                "summary": summary,
                "load_average": loadgen.load_average(),
            },
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
