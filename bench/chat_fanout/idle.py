"""Idle sockets: 10,000 signed-in sockets on one Hearth process.

    python -m bench.chat_fanout --scenario idle
    python -m bench.chat_fanout --scenario idle --sockets 1000 --idle 20   # quicker
    python -m bench.chat_fanout --scenario idle --rooms 1        # everyone in one room

The sockets are spread evenly over ``--rooms`` rooms (default 100: a hundred members in
each; one room of 10,000 makes presence, which lists every member present, the whole
cost: see README.md).

Every socket belongs to its own member and pings like the browser script does (the
interval the server announces in its ``ready`` frame, ``presence.PING_SECONDS``, each
socket at a random phase). Measured on the one uvicorn process:

- resident memory per socket: (RSS with every socket open, after ``--idle`` seconds of
  ping traffic) - (RSS with the sender's socket alone) / sockets; target <= 40 KB;
- CPU at rest: the process's CPU seconds per second over that idle window;
- one message to everyone (one moderator per room sends into their room, all at
  once), p99 send-to-arrival over every socket: target < 1 s, reach 1.000.

``--tracemalloc`` runs the server under tracemalloc (bench/chat_fanout/traced_server.py)
and prints what the sockets' memory is made of (the allocation sites that grew between
"before the sockets" and "after the idle window", per socket); use a few hundred sockets,
tracing is slow.

The sockets are opened by ``--processes`` client processes; this process and its
children raise their open-file limit to the hard limit (``ulimit -Hn``), and the server
needs the same (see docs/deploy.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import websockets

from bench.chat_fanout import loadgen, run, scratch


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.chat_fanout --scenario idle", description=__doc__
    )
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument(
        "--idle", type=float, default=60.0, help="seconds of ping traffic before measuring"
    )
    parser.add_argument(
        "--ping-seconds",
        type=float,
        default=None,
        help="ping interval (default: the server's, from its ready frame)",
    )
    parser.add_argument(
        "--tracemalloc", action="store_true", help="show what holds the sockets' memory"
    )
    parser.add_argument(
        "--layer",
        choices=["memory", "redis"],
        default="memory",
        help="the channel layer and cache: in memory (one process, the default), or Redis "
        "as in production (REDIS_URL, default redis://127.0.0.1:6379/9; this run's keys "
        "are removed afterwards)",
    )
    args = parser.parse_args(argv)
    args.redis_url = (
        os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/9" if args.layer == "redis" else ""
    )
    if args.sockets < args.rooms or args.rooms < 1 or args.idle <= 0:
        parser.error("need sockets >= rooms >= 1 and a positive idle time")
    return args


def _slugs(rooms: int) -> list[str]:
    return [f"idle-{k:03d}" for k in range(rooms)]


def _start_traced_server(port: int, env: dict[str, str], folder: Path) -> subprocess.Popen:
    cmd = [
        sys.executable, "-m", "bench.chat_fanout.traced_server", run.APPS["hearth"],
        "--host", "127.0.0.1", "--port", str(port),
        "--ws", "websockets-sansio", "--loop", "uvloop", "--lifespan", "off",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    env = {**os.environ, **env, "HEARTH_TRACEMALLOC_DIR": str(folder)}
    return subprocess.Popen(cmd, cwd=run.ROOT, env=env)


async def _snapshot(server: subprocess.Popen, folder: Path, n: int) -> Path:
    path = folder / f"snapshot-{n}.pickle"
    os.kill(server.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 300
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the traced server wrote no snapshot")
        await asyncio.sleep(0.5)
    return path


def memory_report(before: Path, after: Path, sockets: int, top: int = 25) -> str:
    """The allocation sites that grew while the sockets were open, per socket."""
    old = tracemalloc.Snapshot.load(str(before))
    new = tracemalloc.Snapshot.load(str(after))
    lines = []
    for key, title in (("filename", "by file"), ("lineno", "by line")):
        stats = [s for s in new.compare_to(old, key) if s.size_diff > 0][:top]
        total = sum(s.size_diff for s in new.compare_to(old, key) if s.size_diff > 0)
        lines.append(
            f"traced growth {title}: {total / 1024 / max(1, sockets):.1f} KB per socket in all"
        )
        lines.append("| bytes per socket | blocks per socket | where |")
        lines.append("|---:|---:|---|")
        for stat in stats:
            frame = stat.traceback[0]
            where = frame.filename.split("site-packages/")[-1].replace(str(run.ROOT) + "/", "")
            if key == "lineno":
                where += f":{frame.lineno}"
            lines.append(
                f"| {stat.size_diff / max(1, sockets):,.0f} | "
                f"{stat.count_diff / max(1, sockets):.1f} | {where} |"
            )
        lines.append("")
    return "\n".join(lines)


async def measure(args, env: dict[str, str], sessions: list[str], moderators: list[str]) -> dict:
    port = run._free_port()
    traces = Path(env["HEARTH_BENCH_WORKDIR"]) / "traces" if args.tracemalloc else None
    if traces is not None:
        traces.mkdir(parents=True, exist_ok=True)
        server = _start_traced_server(port, env, traces)
    else:
        server = run._start_server("hearth", port, env)
    pool = None
    senders: list = []
    drains: list[asyncio.Task] = []
    try:
        # A traced server starts several times slower (every allocation is recorded).
        await run._wait_for_port(port, server, timeout=600 if traces is not None else 60)
        urls = [f"ws://127.0.0.1:{port}/ws/chat/{slug}/" for slug in _slugs(args.rooms)]
        origin = f"http://127.0.0.1:{port}"
        gate = asyncio.Semaphore(loadgen.CONNECT_CONCURRENCY)

        async def open_sender(k: int):
            async with gate:
                return await loadgen.open_socket(urls[k], origin, moderators[k])

        senders = await asyncio.gather(*(open_sender(k) for k in range(args.rooms)))
        ready: dict = {}
        while ready.get("type") != "ready":  # presence frames may come first
            ready = json.loads(await senders[0].recv())
        ping_seconds = args.ping_seconds or float(ready.get("ping_seconds") or 0)
        drains = [asyncio.create_task(loadgen.listen(ws, loadgen.Recorder())) for ws in senders]
        await asyncio.sleep(2)
        rss_before = loadgen.rss_bytes(server.pid)
        if traces is not None:
            first = await _snapshot(server, traces, 1)
        targets = [
            loadgen.Target(urls[i % args.rooms], session) for i, session in enumerate(sessions)
        ]
        pool = loadgen.ClientPool(
            targets, origin, processes=args.processes, ping_seconds=ping_seconds
        )
        print(
            f"idle: opening {len(targets):,} sockets in {pool.processes} processes "
            f"(ping every {ping_seconds:g} s)…",
            flush=True,
        )
        connect_started = time.monotonic()
        opened = await pool.start()
        connect_seconds = time.monotonic() - connect_started
        print(
            f"idle: {opened:,} open after {connect_seconds:.0f} s; idling {args.idle:g} s",
            flush=True,
        )
        # Idle: pings only. Measure over the window's second part, after the joins settled.
        await asyncio.sleep(min(10.0, args.idle / 3))
        cpu_start, t_start = loadgen.cpu_seconds(server.pid), time.monotonic()
        await asyncio.sleep(args.idle - min(10.0, args.idle / 3))
        cpu_rest = (loadgen.cpu_seconds(server.pid) - cpu_start) / (time.monotonic() - t_start)
        rss_after = loadgen.rss_bytes(server.pid)
        alive, _ = await pool.stats()
        memory = ""
        if traces is not None:
            memory = memory_report(first, await _snapshot(server, traces, 2), opened)
            # Now: a traced server pauses for each snapshot, which may cost the sockets'
            # keepalive (and so the one-message part of the run).
            print(memory, flush=True)

        await pool.record()
        sent_at: dict[int, float] = {}
        senders_closed: list[str] = []

        async def announce(k: int) -> None:
            body = f"{loadgen.MARK}{k + 1}# to everyone"
            sent_at[k + 1] = time.monotonic()
            try:
                await senders[k].send(json.dumps({"type": "send", "body": body}))
            except websockets.ConnectionClosed as closed:  # the server closed it (4503)
                senders_closed.append(str(closed))
                del sent_at[k + 1]

        await asyncio.gather(*(announce(k) for k in range(args.rooms)))
        seqs, times = await pool.collect([len(share) for share in pool.shares], quiet=15, cap=120)
        latencies = [t - sent_at[s] for s, t in zip(seqs, times, strict=True) if s in sent_at]
        return {
            "sockets": len(targets),
            "opened": opened,
            "alive_after_idle": alive,
            "connect_seconds": connect_seconds,
            "ping_seconds": ping_seconds,
            "rss_before_mb": rss_before / 2**20,
            "rss_after_mb": rss_after / 2**20,
            "kb_per_socket": (rss_after - rss_before) / 1024 / max(1, opened),
            "cpu_at_rest": cpu_rest,
            "received": len(latencies),
            "reach": len(latencies) / max(1, opened),
            "p50_ms": loadgen.percentile(latencies, 0.5) * 1000,
            "p99_ms": loadgen.percentile(latencies, 0.99) * 1000,
            "memory": memory,
            "senders_closed": senders_closed,
        }
    finally:
        for task in drains:
            task.cancel()
        for ws in senders:
            await loadgen.close_socket(ws)
        if pool is not None:
            await pool.close()
        run._stop(server)


def report(args, r: dict) -> str:
    lines = [
        f"scenario: idle   sockets: {r['sockets']:,} ({r['opened']:,} opened in "
        f"{r['connect_seconds']:.0f} s, {r['alive_after_idle']:,} open after the idle window) "
        f"in {args.rooms} rooms, one Hearth process, {args.layer} layer   "
        f"pings every {r['ping_seconds']:g} s   "
        f"idle window: {args.idle:g} s",
        "",
    ]
    lines += loadgen.table(
        ["measure", "value", "target", "met"],
        [
            [
                "resident memory per socket",
                f"{r['kb_per_socket']:.1f} KB ({r['rss_before_mb']:.0f} → "
                f"{r['rss_after_mb']:.0f} MB)",
                "<= 40 KB",
                loadgen.verdict(r["kb_per_socket"] <= 40),
            ],
            ["CPU at rest", f"{r['cpu_at_rest'] * 100:.1f} % of a core", "", ""],
            ["one message: p50", f"{r['p50_ms']:.0f} ms", "", ""],
            [
                "one message: p99",
                f"{r['p99_ms']:.0f} ms",
                "< 1,000 ms",
                loadgen.verdict(r["p99_ms"] < 1000),
            ],
            [
                "one message: reach",
                f"{r['reach']:.4f} ({r['received']:,} / {r['opened']:,})",
                "1.000",
                loadgen.verdict(r["reach"] >= 1),
            ],
        ],
        right={1, 2},
    )
    if r["senders_closed"]:
        lines += [
            "",
            f"{len(r['senders_closed'])} of the {args.rooms} senders' sockets had been closed "
            f"by the server before the message (first: {r['senders_closed'][0]})",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    limit = loadgen.raise_file_limit()
    if limit < args.sockets + 1000:
        print(f"warning: the open-file limit is {limit:,}; raise `ulimit -Hn` for more sockets")
    workdir = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    prefix = ""  # this run's Redis key prefix, once known: only its keys are removed
    try:
        env = run._configure_environment(args, workdir)
        prefix = env["CHANNEL_PREFIX"]
        env["HEARTH_BENCH_WORKDIR"] = str(workdir)
        print("Preparing a fresh database (migrate, members, sessions)…", flush=True)
        sessions, moderators = scratch.prepare(
            _slugs(args.rooms), members=args.sockets, moderators=args.rooms
        )
        started = time.monotonic()
        result = loadgen.run_loop(measure(args, env, sessions, moderators))
        result["met"] = (
            result["kb_per_socket"] <= 40 and result["p99_ms"] < 1000 and result["reach"] >= 1
        )
        print()
        print(report(args, result))
        elapsed = time.monotonic() - started
        print(f"\n(measured in {elapsed:.0f} s; load average {loadgen.load_average()})")
        loadgen.write_result(
            "idle",
            {"args": vars(args), "result": result, "load_average": loadgen.load_average()},
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.layer == "redis" and prefix:
            run._flush_redis_keys(args.redis_url, prefix)
    return 0
