"""Many rooms: 3,000 sockets over 300 rooms, two uvicorn processes on Redis.

    python -m bench.chat_fanout --scenario rooms
    python -m bench.chat_fanout --scenario rooms --sockets 600 --rooms 60 --seconds 10   # quicker

Rooms get their sockets by a Zipf distribution (``--skew``, 1.0: the busiest room has
about 1/H(n) of everyone, the tail one or two each; every room at least one), and the
messages (``--rate`` a second for ``--seconds``) pick their room by the same weights.
Two Hearth processes (``--workers``) serve on two ports, sockets alternating between
them, so every room with two or more sockets spans both processes and its messages
cross Redis, as behind a load balancer. Each room's first socket belongs to a moderator
who sends that room's messages (members are limited to 40 messages per 30 s); it
receives them too and counts like every other socket.

Reported: deliveries/s, p50/p99 send-to-arrival latency (target p99 < 100 ms), reach
(received / messages x sockets in their room; target 1.000), Redis commands per message
(``INFO commandstats`` before and after the sending window, on the Redis the layer and
cache use; with ``--private-redis`` a redis-server of its own so nothing else counts)
and CPU seconds of the server processes per 1,000 deliveries (from /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.chat_fanout import loadgen, run, scratch

DEFAULT_REDIS = "redis://127.0.0.1:6379/9"


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.chat_fanout --scenario rooms", description=__doc__
    )
    parser.add_argument("--sockets", type=int, default=3000)
    parser.add_argument("--rooms", type=int, default=300)
    parser.add_argument("--skew", type=float, default=1.0, help="Zipf exponent")
    parser.add_argument("--rate", type=float, default=200.0, help="messages/s over all rooms")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the sending")
    parser.add_argument("--workers", type=int, default=2, help="Hearth processes")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS)
    parser.add_argument(
        "--private-redis", action="store_true", help="start a redis-server of its own"
    )
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server to make the scratch database hearth_rooms on "
        "(default DATABASE_URL; without one, a SQLite file)",
    )
    parser.add_argument(
        "--tasks",
        choices=["worker", "immediate"],
        default="worker",
        help="worker (production: the database task backend and one db_worker process, "
        "whose CPU is reported apart) or immediate (what follows a message runs in the "
        "server, after the save)",
    )
    args = parser.parse_args(argv)
    args.layer = "redis"
    if args.sockets < args.rooms or args.rooms < 1 or args.rate <= 0 or args.workers < 1:
        parser.error("need sockets >= rooms >= 1, a positive rate and a worker")
    return args


def _redis_calls(url: str) -> Counter:
    import redis

    stats = redis.Redis.from_url(url).info("commandstats")
    return Counter({name.removeprefix("cmdstat_"): row["calls"] for name, row in stats.items()})


@contextlib.contextmanager
def _private_redis(workdir: Path):
    port = run._free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        run._stop(process)


async def measure(args, env: dict[str, str], plan: dict) -> dict:
    ports = [run._free_port() for _ in range(args.workers)]
    servers = [run._start_server("hearth", port, env) for port in ports]
    task_worker = run.start_task_worker(env) if args.tasks == "worker" else None
    pool = None
    senders: list = []
    listeners: list[asyncio.Task] = []
    try:
        for port, server in zip(ports, servers, strict=True):
            await run._wait_for_port(port, server)
        origin = f"http://127.0.0.1:{ports[0]}"

        def url(index: int, slug: str) -> str:
            return f"ws://127.0.0.1:{ports[index % len(ports)]}/ws/chat/{slug}/"

        def origin_of(index: int) -> str:
            return f"http://127.0.0.1:{ports[index % len(ports)]}"

        # Socket 0 of each room is its moderator (in this process, sending); the rest
        # are members, shared out over the client processes.
        targets, target_rooms = [], []
        sender_urls = []
        index = 0
        for room, (slug, size) in enumerate(zip(plan["slugs"], plan["sizes"], strict=True)):
            sender_urls.append((url(index, slug), origin_of(index)))
            index += 1
            for _ in range(size - 1):
                session = plan["sessions"][len(targets)]
                targets.append(loadgen.Target(url(index, slug), session, origin_of(index)))
                target_rooms.append(room)
                index += 1
        print(f"rooms: opening {index:,} sockets on {len(ports)} Hearth processes…", flush=True)
        pool = loadgen.ClientPool(targets, origin, processes=args.processes)
        opened = await pool.start()
        recorder = loadgen.Recorder()
        gate = asyncio.Semaphore(loadgen.CONNECT_CONCURRENCY)

        async def open_sender(k: int):
            async with gate:
                address, its_origin = sender_urls[k]
                return await loadgen.open_socket(address, its_origin, plan["moderators"][k])

        senders = await asyncio.gather(*(open_sender(k) for k in range(len(sender_urls))))
        listeners = [asyncio.create_task(loadgen.listen(ws, recorder)) for ws in senders]
        print(f"rooms: {opened + len(senders):,} of {index:,} sockets open", flush=True)
        await asyncio.sleep(3)  # joins and presence settle

        rng = random.Random(args.seed)
        count = max(1, int(args.rate * args.seconds))
        rooms_of = rng.choices(range(len(plan["slugs"])), weights=plan["weights"], k=count)
        per_room = Counter(rooms_of)
        await pool.record()
        recorder.take()
        recorder.active = True
        calls_before = _redis_calls(env["REDIS_URL"])
        cpu_before = sum(loadgen.cpu_seconds(s.pid) for s in servers)
        worker_cpu_before = loadgen.cpu_seconds(task_worker.pid) if task_worker else 0.0
        sent_at: dict[int, float] = {}
        interval = 1.0 / args.rate
        start = time.monotonic()
        for seq, room in enumerate(rooms_of, start=1):
            delay = start + (seq - 1) * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent_at[seq] = time.monotonic()
            body = f"{loadgen.MARK}{seq}# hello room {room}"
            await senders[room].send(json.dumps({"type": "send", "body": body}))
        expected_per_worker = [
            sum(per_room[target_rooms[i]] for i in share) for share in pool.shares
        ]
        (seqs, times), _ = await asyncio.gather(
            pool.collect(expected_per_worker, quiet=5.0, cap=60.0),
            loadgen.wait_arrivals(recorder, count, quiet=5.0, cap=60.0),
        )
        cpu = sum(loadgen.cpu_seconds(s.pid) for s in servers) - cpu_before
        alive, _frames = await pool.stats()
        alive += sum(1 for ws in senders if ws.close_code is None)
        worker_cpu = (
            loadgen.cpu_seconds(task_worker.pid) - worker_cpu_before if task_worker else 0.0
        )
        tasks_left = await run.tasks_waiting() if task_worker else 0
        drained_after = await run.wait_tasks_drained(cap=120.0) if task_worker else 0.0
        calls = _redis_calls(env["REDIS_URL"]) - calls_before
        own_seqs, own_times = recorder.take()
        seqs.extend(own_seqs)
        times.extend(own_times)
        latencies = []
        last = start
        for s, t in zip(seqs, times, strict=True):
            sent = sent_at.get(s)
            if sent is not None:
                latencies.append(t - sent)
                last = max(last, t)
        expected = sum(plan["sizes"][room] for room in rooms_of)
        received = len(latencies)
        commands = sum(calls.values())
        return {
            "sockets": index,
            "opened": opened + len(senders),
            "open_at_the_end": alive,
            "messages": count,
            "expected": expected,
            "received": received,
            "deliveries_per_second": received / (last - start) if last > start else 0.0,
            "p50_ms": loadgen.percentile(latencies, 0.50) * 1000,
            "p99_ms": loadgen.percentile(latencies, 0.99) * 1000,
            "reach": received / expected if expected else 0.0,
            "redis_commands": commands,
            "redis_per_message": commands / count,
            "redis_top": calls.most_common(8),
            "cpu_seconds": cpu,
            "cpu_per_1000": cpu / (received / 1000) if received else float("nan"),
            "tasks": args.tasks,
            "worker_cpu_seconds": worker_cpu,
            "tasks_waiting_at_the_end": tasks_left,
            "tasks_drained_after_s": drained_after,
            "busiest_room_sockets": max(plan["sizes"]),
            "busiest_room_messages": max(per_room.values()),
        }
    finally:
        for ws in senders:
            await loadgen.close_socket(ws)
        for task in listeners:
            task.cancel()
        if pool is not None:
            await pool.close()
        for server in servers:
            run._stop(server)
        if task_worker is not None:
            run._stop(task_worker)


def report(args, r: dict) -> str:
    lines = [
        f"scenario: rooms   sockets: {r['sockets']:,} ({r['opened']:,} open) in {args.rooms} "
        f"rooms (Zipf {args.skew:g}; busiest {r['busiest_room_sockets']})   Hearth processes: "
        f"{args.workers}   messages: {r['messages']:,} at {args.rate:g}/s "
        f"(busiest room {r['busiest_room_messages']})",
        "",
    ]
    lines += loadgen.table(
        ["measure", "value", "target", "met"],
        [
            ["deliveries/s", f"{r['deliveries_per_second']:,.0f}", "", ""],
            ["p50 latency", f"{r['p50_ms']:.1f} ms", "", ""],
            [
                "p99 latency",
                f"{r['p99_ms']:.1f} ms",
                "< 100 ms",
                loadgen.verdict(r["p99_ms"] < 100),
            ],
            [
                "reach",
                f"{r['reach']:.4f} ({r['received']:,} / {r['expected']:,})",
                "1.000",
                loadgen.verdict(r["reach"] >= 1),
            ],
            [
                "sockets still open at the end",
                f"{r['open_at_the_end']:,} of {r['opened']:,}",
                "all",
                loadgen.verdict(r["open_at_the_end"] >= r["opened"]),
            ],
            ["Redis commands per message", f"{r['redis_per_message']:.1f}", "", ""],
            [
                "server CPU per 1,000 deliveries",
                f"{r['cpu_per_1000']:.3f} s ({r['cpu_seconds']:.1f} s in all)",
                "",
                "",
            ],
        ],
        right={1, 2},
    )
    top = ", ".join(f"{name} {calls / r['messages']:.2f}" for name, calls in r["redis_top"])
    lines += ["", f"Redis commands per message, most frequent: {top}"]
    if r["tasks"] == "worker":
        drained = r["tasks_drained_after_s"]
        lines.append(
            f"What follows the messages (points, activity; one task per save), in the task "
            f"worker: {r['worker_cpu_seconds']:.1f} s of CPU over the sending; "
            f"{r['tasks_waiting_at_the_end']:,} tasks waiting when the last delivery arrived, "
            + (f"all done {drained:.1f} s later" if drained >= 0 else "not all done within 120 s")
            + "."
        )
    else:
        lines.append("What follows the messages ran in the servers (--tasks immediate).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loadgen.raise_file_limit()
    workdir = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            if args.private_redis:
                args.redis_url = stack.enter_context(_private_redis(workdir))
            env = run._configure_environment(args, workdir)
            run.use_database(env, args.database_url, "hearth_rooms")
            if args.tasks == "worker":
                env["TASKS_BACKEND"] = os.environ["TASKS_BACKEND"] = run.DATABASE_TASKS
            weights = loadgen.zipf_weights(args.rooms, args.skew)
            sizes = loadgen.apportion(args.sockets, weights)
            slugs = [f"room-{k:03d}" for k in range(args.rooms)]
            print("Preparing a fresh database (migrate, rooms, members, sessions)…", flush=True)
            sessions, moderators = scratch.prepare(
                slugs, members=args.sockets - args.rooms, moderators=args.rooms
            )
            plan = {
                "slugs": slugs,
                "sizes": sizes,
                "weights": weights,
                "sessions": sessions,
                "moderators": moderators,
            }
            started = time.monotonic()
            try:
                result = loadgen.run_loop(measure(args, env, plan))
            finally:
                run._flush_redis_keys(args.redis_url, env["CHANNEL_PREFIX"])
            result["met"] = result["p99_ms"] < 100 and result["reach"] >= 1
            print()
            print(report(args, result))
            elapsed = time.monotonic() - started
            print(f"\n(measured in {elapsed:.0f} s; load average {loadgen.load_average()})")
            loadgen.write_result(
                "rooms",
                {
                    "args": {k: v for k, v in vars(args).items() if k != "redis_url"},
                    "result": result,
                    "load_average": loadgen.load_average(),
                },
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
