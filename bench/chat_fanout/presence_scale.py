"""Presence at scale: ``--members`` members open one room, then ping as the page does.

    python -m bench.chat_fanout.presence_scale                  # 1,000 members, batched
    python -m bench.chat_fanout.presence_scale --compare        # and the unbatched way
    python -m bench.chat_fanout.presence_scale --members 200 --ping-window 15   # quicker

One server worker (common_scale.py) on Redis (cache and channel layer). The members'
pages are spread over ``--procs`` client processes, opened 50 at a time per process;
each applies ``ready`` and ``presence`` frames as chat.js does (so it knows whom it
shows as present) and pings every ``ping_seconds`` (45) after its ``ready``.

Phase 1, the arrival: until every page is open and shows everyone (or nothing changed
for 3 s): the presence announcements (``joins``/``leaves`` frames) received in total.
Phase 2, at rest: ``--ping-window`` seconds of pings; every ping is answered with the
full list, to the pinging page only.

``--compare`` runs the same with presence announced the way it was before batches (one
frame per arrival or departure to everyone present; common_scale._unbatched_presence).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from bench.chat_fanout import common_scale, run, scratch
from bench.chat_fanout.loadgen import raise_file_limit

ROOM = "presence"
PING_SECONDS = 45  # community.chat.presence.PING_SECONDS, the documented interval


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.chat_fanout.presence_scale",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--ping-window", type=float, default=PING_SECONDS)
    parser.add_argument("--compare", action="store_true", help="also measure unbatched")
    parser.add_argument("--timeout", type=float, default=300, help="cap of the arrival, s")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"
    )
    args = parser.parse_args(argv)
    if args.members < 2 or args.procs < 1 or args.ping_window <= 0:
        parser.error("need 2 or more members, a client process and a positive window")
    return args


PRESENCE = re.compile(r'\{"type": ?"(\w+)"')


class Member:
    """One open room page: applies presence frames as chat.js does, pings like it."""

    def __init__(self) -> None:
        self.present: set[int] = set()
        # What the page says ("N here"): the server's count where the frame has one (a
        # big room's lists name only presence.LIST_MAX members), as chat.js does.
        self.count = 0
        self.announcements = 0  # joins / leaves frames
        self.answers = 0  # full lists, the answers to pings

    def apply(self, text: str) -> None:
        kind = PRESENCE.match(text)
        if not kind or kind.group(1) not in ("ready", "presence"):
            return
        frame = json.loads(text)
        if kind.group(1) == "ready":
            frame = frame["present"]
        elif "members" in frame:
            self.answers += 1
        else:
            self.announcements += 1
        if "members" in frame:
            self.present = {p["id"] for p in frame["members"]}
        for p in frame.get("joins", []) + ([frame["joined"]] if "joined" in frame else []):
            self.present.add(p["id"])
        for p in frame.get("leaves", []) + ([frame["left"]] if "left" in frame else []):
            self.present.discard(p["id"])
        self.count = frame["count"] if isinstance(frame.get("count"), int) else len(self.present)


async def _member(url: str, origin: str, session: str, member: Member, gate, opened) -> None:
    from bench.chat_fanout.loadgen import open_socket

    async with gate:
        ws = await open_socket(url, origin, session)
        ping = PING_SECONDS
        async for text in ws:  # the ready frame
            member.apply(text)
            ping = json.loads(text).get("ping_seconds", ping)
            break
    opened.append(member)

    async def pinging() -> None:  # chat.js: setInterval(ping, ping_seconds) after ready
        while True:
            await asyncio.sleep(ping)
            await ws.send('{"type":"ping"}')

    pinger = asyncio.create_task(pinging())
    try:
        async for text in ws:
            member.apply(text)
    finally:
        pinger.cancel()


def _clients_main(conn, sessions: list[str], url: str, origin: str) -> None:
    raise_file_limit()
    import uvloop

    uvloop.run(_clients(conn, sessions, url, origin))


async def _clients(conn, sessions, url, origin) -> None:
    gate = asyncio.Semaphore(50)
    members = [Member() for _ in sessions]
    opened: list[Member] = []
    tasks = [
        asyncio.create_task(_member(url, origin, s, m, gate, opened))
        for s, m in zip(sessions, members, strict=True)
    ]
    while True:
        command = await asyncio.to_thread(conn.recv)
        if command == "stats":
            conn.send(
                (
                    len(opened),
                    sum(m.announcements for m in members),
                    sum(m.answers for m in members),
                    [m.count for m in opened],
                )
            )
        elif command == "close":
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            conn.send("closed")
            return


class Pool:
    def __init__(self, sessions: list[str], procs: int, url: str, origin: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes, self.procs = [], []
        for k in range(procs):
            parent, child = context.Pipe()
            self.pipes.append(parent)
            self.procs.append(
                context.Process(
                    target=_clients_main, args=(child, sessions[k::procs], url, origin), daemon=True
                )
            )
        for proc in self.procs:
            proc.start()

    async def stats(self) -> tuple[int, int, int, list[int]]:
        def ask(pipe):
            pipe.send("stats")
            return pipe.recv()

        replies = await asyncio.gather(*(asyncio.to_thread(ask, p) for p in self.pipes))
        return (
            sum(r[0] for r in replies),
            sum(r[1] for r in replies),
            sum(r[2] for r in replies),
            [n for r in replies for n in r[3]],
        )

    async def close(self) -> None:
        def ask(pipe):
            pipe.send("close")
            return pipe.recv()

        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                asyncio.gather(*(asyncio.to_thread(ask, p) for p in self.pipes)), 60
            )
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()


async def _measure(args, env: dict[str, str], sessions: list[str], unbatched: bool) -> dict:
    port = run._free_port()
    counts = Path(env["SCALE_WORKDIR"]) / f"queries-{int(unbatched)}"
    worker = common_scale.Worker(
        port, counts, {**env, "BENCH_PRESENCE_UNBATCHED": "1" if unbatched else "0"}
    )
    await asyncio.to_thread(worker.wait_ready)
    url = f"ws://127.0.0.1:{port}/ws/chat/{ROOM}/"
    n = len(sessions)
    started = time.monotonic()
    pool = Pool(sessions, args.procs, url, f"http://127.0.0.1:{port}")
    try:
        # Phase 1: until everyone is open and every page shows everyone (or 3 s quiet).
        last_change, last = time.monotonic(), None
        while time.monotonic() - started < args.timeout:
            await asyncio.sleep(0.5)
            stats = await pool.stats()
            opened, announcements, _, views = stats
            if (opened, announcements) != last:
                last, last_change = (opened, announcements), time.monotonic()
            if opened == n and (all(v == n for v in views) or time.monotonic() - last_change > 3):
                break
        join_seconds = last_change - started
        opened, join_frames, _, views = await pool.stats()
        everyone = sum(1 for v in views if v == n)
        print(
            f"  {'unbatched' if unbatched else 'batched':<9} {opened} joined in "
            f"{join_seconds:.1f} s: {join_frames:,} presence announcements "
            f"({join_frames / max(join_seconds, 0.001):,.0f}/s); {everyone} pages count all",
            flush=True,
        )
        # Phase 2: at rest, pinging.
        _, a0, b0, _ = await pool.stats()
        window_start = time.monotonic()
        await asyncio.sleep(args.ping_window)
        _, a1, b1, views = await pool.stats()
        window = time.monotonic() - window_start
        present = await asyncio.to_thread(_present_count)
    finally:
        await pool.close()
        await asyncio.to_thread(worker.stop)
    return {
        "presence": "unbatched" if unbatched else "batched",
        "members": n,
        "opened": opened,
        "pages_showing_all_after_join": everyone,
        "pages_showing_all_at_end": sum(1 for v in views if v == n),
        "present_at_end": present,
        "join_seconds": round(join_seconds, 1),
        "join_frames": join_frames,
        "join_frames_per_second": round(join_frames / max(join_seconds, 0.001)),
        "join_frames_per_member": round(join_frames / max(opened, 1), 1),
        "rest_frames_per_second": round((a1 - a0 + b1 - b0) / window, 1),
        "rest_answers_per_second": round((b1 - b0) / window, 1),
    }


def _present_count() -> int:
    from community.chat import presence
    from community.chat.models import Room

    return len(presence.present(Room.objects.get(slug=ROOM).pk))


def report_text(args, rows: list[dict], load: str) -> tuple[str, list]:
    lines = [
        f"members: {args.members} in one room   client processes: {args.procs}   "
        f"ping every {PING_SECONDS} s   window at rest: {args.ping_window:g} s   "
        f"load average before: {load}",
        "",
        "| presence | joined | pages counting all | join s | announcements "
        "| announcements/s | per member | frames/s at rest |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['presence']} | {r['opened']:,} | {r['pages_showing_all_after_join']:,} | "
            f"{r['join_seconds']} | {r['join_frames']:,} | {r['join_frames_per_second']:,} | "
            f"{r['join_frames_per_member']} | {r['rest_frames_per_second']} |"
        )
    batched = rows[0]
    n = batched["members"]
    # O(n²) is about n/2 announcements per member; batched it is bounded by time, not n.
    per_member_target = max(10.0, 0.1 * n)
    rest_target = 1.2 * n / PING_SECONDS + 1
    verdicts = [
        ("pages counting everyone after the arrival",
         f"{batched['pages_showing_all_after_join']:,}", f"{n:,}",
         batched["pages_showing_all_after_join"] == n),
        ("present in the cache at the end", f"{batched['present_at_end']:,}", f"{n:,}",
         batched["present_at_end"] == n),
        ("announcements per member while joining", f"{batched['join_frames_per_member']}",
         f"<= {per_member_target:g} (unbatched ~ n/2)",
         batched["join_frames_per_member"] <= per_member_target),
        ("presence frames/s at rest", f"{batched['rest_frames_per_second']}",
         f"<= {rest_target:.0f} (one answer per ping)",
         batched["rest_frames_per_second"] <= rest_target),
    ]  # fmt: skip
    lines += ["", common_scale.verdict_table(verdicts)]
    return "\n".join(lines), verdicts


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_file_limit()
    load = common_scale.load_average()
    workdir = Path(tempfile.mkdtemp(prefix="hearth-presence-"))
    try:
        env = run._configure_environment(
            SimpleNamespace(layer="redis", redis_url=args.redis_url), workdir
        )
        env["SCALE_WORKDIR"] = str(workdir)
        env["LOG_LEVEL"] = "ERROR"
        os.environ.update(env)
        common_scale.migrated_sqlite(env["SQLITE_PATH"], env)
        print("Preparing the scratch database (members, sessions)…", flush=True)
        sessions, _ = scratch.prepare([ROOM], members=args.members)
        started = time.monotonic()
        rows = [asyncio.run(_measure(args, env, sessions, unbatched=False))]
        if args.compare:
            run._flush_redis_keys(args.redis_url, env["CHANNEL_PREFIX"])
            rows.append(asyncio.run(_measure(args, env, sessions, unbatched=True)))
        text, verdicts = report_text(args, rows, load)
        print()
        print(text)
        print(
            f"\n(measured in {time.monotonic() - started:.0f} s; load average after: "
            f"{common_scale.load_average()})"
        )
        path = common_scale.write_result(
            "presence",
            {
                "args": vars(args),
                "load_average": load,
                "rows": rows,
                "verdicts": [
                    {"measure": n, "value": v, "target": t, "met": ok} for n, v, t, ok in verdicts
                ],
            },
        )
        print(f"wrote {path.relative_to(common_scale.ROOT)}")
        run._flush_redis_keys(args.redis_url, env["CHANNEL_PREFIX"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(v[3] for v in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
