"""Deploy stampede: thousands of connected clients while the server restarts.

    python -m bench.chat_fanout.stampede                          # 3,000 clients, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        python -m bench.chat_fanout.stampede                      # a scratch PostgreSQL db
    python -m bench.chat_fanout.stampede --clients 300 --procs 2  # a quick run

Two server workers (common_scale.py: one port, SO_REUSEPORT) on Redis (cache and
channel layer), a moderator sending messages the whole time, and ``--clients`` members
in one room spread over ``--procs`` client processes. Each client behaves like
static/js/chat.js: on every open it sends ``since`` with the id up to which it has every
message (a live message that arrives during a catch-up does not count until ``synced``), on
``synced`` its backoff resets, and when its socket closes it waits the client's
backoff with full jitter (common_scale.reconnect_delay) before the next attempt. The
clients connect from ``--addresses`` loopback addresses (127.0.0.2, ...), as members
come from many networks (the server limits catch-ups per network).

Two restarts, in turn: ``rolling`` (a new worker starts, then the old one stops; one
worker after the other) and ``all`` (both stop, then both start). Per restart: the
time from the restart until every client has reconnected and received ``synced``,
the SQL statements the workers executed during the storm (peak per second over 100 ms
samples, and per reconnect). At the end every client compares the message ids it got
with the room's messages in the database: none missing, none twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import re
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from bench.chat_fanout import common_scale, run, scratch
from bench.chat_fanout.loadgen import raise_file_limit

ROOM = "stampede"
MESSAGE_ID = re.compile(r'\{"type": ?"message", ?"message": ?\{"id": ?(\d+)')
FRAME_TYPE = re.compile(r'\{"type": ?"(\w+)"')
TARGET_CATCH_UP_SECONDS = 60.0


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.chat_fanout.stampede", description=__doc__.split("\n\n")[1]
    )
    parser.add_argument("--clients", type=int, default=3000)
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="server workers")
    parser.add_argument("--rate", type=float, default=2.0, help="messages/s sent meanwhile")
    parser.add_argument("--addresses", type=int, default=250, help="client source addresses")
    parser.add_argument("--modes", default="rolling,all")
    parser.add_argument("--timeout", type=float, default=180, help="cap per restart, seconds")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args(argv)
    args.mode_list = [m.strip() for m in args.modes.split(",") if m.strip()]
    if set(args.mode_list) - {"rolling", "all"} or not args.mode_list:
        parser.error("modes: rolling, all")
    if args.clients < 1 or args.procs < 1 or args.workers < 1 or args.rate <= 0:
        parser.error("need clients, procs, workers >= 1 and a positive rate")
    args.addresses = max(1, min(args.addresses, 250))
    return args


# --- a client, as chat.js behaves ------------------------------------------------------


class Client:
    def __init__(self, url: str, origin: str, session: str, address: str) -> None:
        self.url, self.origin, self.session, self.address = url, origin, session, address
        self.baseline: int | None = None  # the newest id of the page it opened
        self.last_id = 0
        # chat.js: every message up to caught_up arrived; live messages move it only
        # outside a catch-up (one that arrives before the answer is newer than the gap).
        self.caught_up = 0
        self.catching_up = False
        self.seen: set[int] = set()
        self.on_socket: set[int] = set()  # the ids this socket delivered
        # The same message twice on one socket: the server's exactly-once broken.
        self.doubled = 0
        # Sent again on a later socket (a catch-up cut short is asked again from below
        # what arrived live meanwhile): chat.js shows it once, so only a cost.
        self.resent = 0
        self.attempts = 0
        self.connects = 0
        self.open = False
        self.dropped_at = 0.0
        self.synced_at = 0.0
        self.capped = 0
        self.rate_limited = 0
        self.since_sent_at = 0.0
        self.first_synced = asyncio.Event()
        self.first_ready_at = 0.0  # when its first ready arrived (monotonic, system-wide)
        self.first_synced_at = 0.0
        # Wall-clock times (comparable with the messages' created_at) of each session:
        # [opened, synced or 0, closed or 0], to tell for a missed message whether the
        # client was connected and caught up when it was saved (live delivery failed)
        # or came back after it (the catch-up should have brought it).
        self.sessions: list[list[float]] = []
        self.stopping = False
        self.ws = None

    async def run(self) -> None:
        from websockets.asyncio.client import connect

        code = None
        while not self.stopping:
            try:
                self.ws = await connect(
                    self.url,
                    additional_headers={
                        "Origin": self.origin,
                        "Cookie": f"sessionid={self.session}",
                    },
                    compression=None,
                    ping_interval=None,
                    open_timeout=60,
                    close_timeout=2,
                    max_queue=None,
                    max_size=2**22,
                    local_addr=(self.address, 0),
                )
            except Exception:
                code = 1006
            else:
                code = await self._session(self.ws)
            if self.stopping:
                return
            await asyncio.sleep(common_scale.reconnect_delay(code, self._next_attempt()))

    def _next_attempt(self) -> int:
        self.attempts += 1
        return self.attempts

    async def _session(self, ws) -> int:
        self.open = True
        self.connects += 1
        self.on_socket = set()
        self.sessions.append([time.time(), 0.0, 0.0])
        try:
            if self.baseline is not None:  # chat.js: "since" as soon as the socket opens
                await self._since(ws)
            async for text in ws:
                await self._frame(ws, text)
        except Exception:
            pass
        finally:
            self.open = False
            self.dropped_at = time.monotonic()
            self.sessions[-1][2] = time.time()
        return ws.close_code or 1006

    async def _since(self, ws) -> None:
        self.since_sent_at = time.monotonic()
        self.catching_up = True
        await ws.send(json.dumps({"type": "since", "after": self.caught_up, "ref": "since"}))

    async def _frame(self, ws, text: str) -> None:
        found = MESSAGE_ID.match(text)
        if found:
            message_id = int(found.group(1))
            if message_id in self.on_socket:
                self.doubled += 1
            elif message_id in self.seen:
                self.resent += 1
            self.on_socket.add(message_id)
            self.seen.add(message_id)
            self.last_id = max(self.last_id, message_id)
            if not self.catching_up:
                self.caught_up = max(self.caught_up, message_id)
            return
        kind = FRAME_TYPE.match(text)
        kind = kind.group(1) if kind else ""
        if kind == "ready":
            if self.baseline is None:  # the page was rendered with messages up to here
                self.first_ready_at = time.monotonic()
                self.baseline = self.last_id = json.loads(text)["last_id"]
                self.caught_up = max(self.caught_up, self.baseline)
                await self._since(ws)
        elif kind == "synced":
            self.attempts = 0
            self.catching_up = False
            self.caught_up = max(self.caught_up, self.last_id)
            self.synced_at = time.monotonic()
            if not self.first_synced_at:
                self.first_synced_at = self.synced_at
            if self.sessions and not self.sessions[-1][1]:
                self.sessions[-1][1] = time.time()
            if json.loads(text).get("more"):
                self.capped += 1
            self.first_synced.set()
        elif kind == "error":
            frame = json.loads(text)
            if frame.get("ref") == "since" and frame.get("retry_after"):
                # chat.js: ask again once the limit allows, with jitter.
                self.rate_limited += 1
                wait = frame["retry_after"] * (1 + random.random())
                asyncio.get_running_loop().call_later(
                    wait, lambda: asyncio.ensure_future(self._since_again(ws))
                )

    async def _since_again(self, ws) -> None:
        with contextlib.suppress(Exception):
            if ws is self.ws and self.open:
                await self._since(ws)


def _client_main(conn, targets: list[tuple[str, str]], url: str, origin: str) -> None:
    raise_file_limit()
    import uvloop

    uvloop.run(_clients(conn, targets, url, origin))


async def _clients(conn, targets, url, origin) -> None:
    clients = [Client(url, origin, session, address) for session, address in targets]
    gate = asyncio.Semaphore(50)

    async def start(client: Client) -> None:
        async with gate:
            task = asyncio.create_task(client.run())
            tasks.append(task)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(client.first_synced.wait(), 60)

    tasks: list[asyncio.Task] = []
    await asyncio.gather(*(start(c) for c in clients))
    conn.send(("ready", sum(1 for c in clients if c.first_synced.is_set())))
    while True:
        command, *params = await asyncio.to_thread(conn.recv)
        if command == "status":
            (since,) = params
            done = [
                c for c in clients if c.dropped_at > since and c.open and c.synced_at > c.dropped_at
            ]
            conn.send(
                (
                    "status",
                    len(done),
                    max((c.synced_at for c in done), default=0.0),
                    sum(1 for c in clients if c.open),
                )
            )
        elif command == "report":
            conn.send(
                (
                    "report",
                    [
                        (
                            sorted(c.seen),
                            c.baseline or 0,
                            (c.doubled, c.resent),
                            c.capped,
                            c.rate_limited,
                            c.connects,
                            c.first_ready_at,
                            c.first_synced_at,
                            c.sessions,
                        )
                        for c in clients
                    ],
                )
            )
        elif command == "close":
            for c in clients:
                c.stopping = True
            for c in clients:
                if c.ws is not None:
                    with contextlib.suppress(Exception):
                        await c.ws.close()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            conn.send(("closed",))
            return


class Clients:
    def __init__(self, sessions: list[str], addresses: int, procs: int, url: str, origin: str):
        context = multiprocessing.get_context("spawn")
        targets = [(s, f"127.0.0.{2 + i % addresses}") for i, s in enumerate(sessions)]
        self.pipes, self.procs = [], []
        for k in range(procs):
            parent, child = context.Pipe()
            share = targets[k::procs]
            if not share:
                continue
            proc = context.Process(
                target=_client_main, args=(child, share, url, origin), daemon=True
            )
            self.pipes.append(parent)
            self.procs.append(proc)

    async def _all(self, message: tuple | None) -> list:
        async def ask(pipe):
            if message is not None:
                pipe.send(message)
            return await asyncio.to_thread(pipe.recv)

        return await asyncio.gather(*(ask(p) for p in self.pipes))

    async def start(self) -> int:
        for proc in self.procs:
            proc.start()
        return sum(r[1] for r in await self._all(None))

    async def status(self, since: float) -> tuple[int, float, int]:
        replies = await self._all(("status", since))
        return (
            sum(r[1] for r in replies),
            max(r[2] for r in replies),
            sum(r[3] for r in replies),
        )

    async def report(self) -> list:
        return [row for r in await self._all(("report",)) for row in r[1]]

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._all(("close",)), 60)
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()


# --- the sender ----------------------------------------------------------------------------


class Sender:
    """A moderator sending ``rate`` messages a second; it reconnects at once when dropped
    (so messages keep flowing while the clients are away)."""

    def __init__(self, url: str, origin: str, session: str, rate: float) -> None:
        self.url, self.origin, self.session, self.rate = url, origin, session, rate
        self.sent = 0
        self.stopping = False

    async def run(self) -> None:
        while not self.stopping:
            try:
                ws = await run._open(self.url, self.origin, self.session)
            except Exception:
                await asyncio.sleep(0.1)
                continue
            drain = asyncio.create_task(run._drain(ws))
            try:
                while not self.stopping and not drain.done():
                    self.sent += 1
                    await ws.send(json.dumps({"type": "send", "body": f"stampede {self.sent}"}))
                    await asyncio.sleep(1 / self.rate)
            except Exception:
                pass
            finally:
                with contextlib.suppress(Exception):
                    await ws.close()
                drain.cancel()


# --- the run ---------------------------------------------------------------------------------


class Servers:
    def __init__(self, port: int, count: int, counts_dir: Path, env: dict[str, str]):
        self.port, self.counts_dir, self.env = port, counts_dir, env
        self.stopped_at: list[float] = []  # when a worker went down (its sockets dropped)
        self.ready_at: list[float] = []  # when a new worker listened
        self.workers = [self._start() for _ in range(count)]
        for worker in self.workers:
            worker.wait_ready()

    def _stop(self, worker: common_scale.Worker) -> None:
        self.stopped_at.append(time.monotonic())
        worker.stop()

    def _start(self) -> common_scale.Worker:
        return common_scale.Worker(self.port, self.counts_dir, self.env)

    def rolling(self) -> None:
        for k, old in enumerate(self.workers):
            new = self._start()
            new.wait_ready()
            self.ready_at.append(time.monotonic())
            self._stop(old)
            self.workers[k] = new

    def all_at_once(self) -> None:
        self.stopped_at.append(time.monotonic())
        for worker in self.workers:
            worker.process.terminate()
        for worker in self.workers:
            worker.stop()
        self.workers = [self._start() for _ in self.workers]
        for worker in self.workers:
            worker.wait_ready()
        self.ready_at.append(time.monotonic())

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


async def _restart(mode: str, servers: Servers, clients: Clients, sampler, args) -> dict:
    started = time.monotonic()
    action = servers.rolling if mode == "rolling" else servers.all_at_once
    restart = asyncio.create_task(asyncio.to_thread(action))
    caught_up, last_synced = 0, 0.0
    shown = started
    deadline = started + args.timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        caught_up, last_synced, connected = await clients.status(started)
        if time.monotonic() - shown >= 5:
            shown = time.monotonic()
            print(
                f"  {mode:<8} {shown - started:5.1f} s: {connected} open, {caught_up} caught up"
                f"{'' if restart.done() else ' (restarting)'}",
                flush=True,
            )
        if restart.done() and caught_up >= args.clients:
            break
    await restart
    await asyncio.sleep(0.5)
    # The storm: from the moment the server is whole again with every socket dropped
    # (rolling: the last old worker stopped; all: the new workers listen).
    down = max(servers.stopped_at[-1], servers.ready_at[-1])
    queries, peak = sampler.between(started, max(last_synced, started) + 0.2)
    storm, storm_peak = sampler.between(down, max(last_synced, down) + 0.2)
    row = {
        "mode": mode,
        "clients": args.clients,
        "caught_up": caught_up,
        "restart_seconds": round(down - started, 2),  # until the storm starts
        "seconds_to_all_caught_up": round(last_synced - started, 2) if last_synced else None,
        "seconds_after_last_drop": round(last_synced - down, 2) if last_synced else None,
        "storm_queries": storm,
        "queries": queries,
        "peak_queries_per_second": round(peak),
        "queries_per_reconnect": round(queries / max(caught_up, 1), 1),
    }
    print(
        f"  {mode:<8} {caught_up}/{args.clients} caught up in "
        f"{row['seconds_to_all_caught_up']} s; {queries} queries, peak {peak:,.0f}/s",
        flush=True,
    )
    return row


async def _measure(args, env: dict[str, str], sessions: list[str], sender_session: str) -> dict:
    port = run._free_port()
    counts_dir = Path(env["SCALE_WORKDIR"]) / "queries"
    meter = common_scale.QueryMeter(counts_dir)
    # BENCH_LOG_LEVEL=WARNING shows the workers' outage lines (hearth.outages).
    log_level = os.environ.get("BENCH_LOG_LEVEL", "ERROR")
    servers = await asyncio.to_thread(
        Servers, port, args.workers, counts_dir, {**env, "LOG_LEVEL": log_level}
    )
    url = f"ws://127.0.0.1:{port}/ws/chat/{ROOM}/"
    origin = f"http://127.0.0.1:{port}"
    clients = Clients(sessions, args.addresses, args.procs, url, origin)
    sender = Sender(url, origin, sender_session, args.rate)
    sampler = None
    sending = None
    try:
        opened = await clients.start()
        print(f"{opened}/{args.clients} clients connected and synced", flush=True)
        sending_started = time.monotonic()
        sending = asyncio.create_task(sender.run())
        sampler = common_scale.Sampler(meter.total, 0.1)
        await asyncio.sleep(2)
        rows = []
        for mode in args.mode_list:
            rows.append(await _restart(mode, servers, clients, sampler, args))
            await asyncio.sleep(2)
        sender.stopping = True
        await sending
        await asyncio.sleep(3)  # the last messages reach everyone
        report = await clients.report()
    finally:
        if sampler is not None:
            sampler.stop()
        sender.stopping = True
        if sending is not None and not sending.done():
            sending.cancel()
        await clients.close()
        await asyncio.to_thread(servers.stop)
    return {
        "rows": rows,
        "report": report,
        "sent": sender.sent,
        "sending_started": sending_started,
    }


def _room_ids() -> list[int]:
    return list(_room_messages())


def _room_messages() -> dict[int, float]:
    """The room's visible messages: id -> when it was saved (epoch seconds)."""
    from community.chat.models import ChatMessage

    rows = (
        ChatMessage.objects.visible()
        .filter(room__slug=ROOM)
        .order_by("id")
        .values_list("id", "created_at")
    )
    return {i: created.timestamp() for i, created in rows}


def _when_missed(sessions: list, saved_at: float) -> str:
    """Where the client was when a message it missed was saved."""
    for opened, synced, closed in sessions:
        if opened <= saved_at and (not closed or saved_at < closed):
            if synced and synced <= saved_at:
                return "connected and caught up"  # it should have arrived live
            return "connected, catching up"
    return "away"  # its next catch-up should have brought it


def _check(
    report: list,
    room_ids: list[int],
    sending_started: float = 0.0,
    saved_at: dict[int, float] | None = None,
) -> dict:
    lost = doubled = resent = capped = limited = extra = 0
    missing: Counter[int] = Counter()
    # Of the clients that lost messages: how many had not synced (or not even had their
    # first ready) when the sender started, and how often they had connected.
    lossy = {"clients": 0, "ready_after_sending": 0, "synced_after_sending": 0}
    lossy_connects: Counter[int] = Counter()
    where: Counter[str] = Counter()
    for seen, baseline, dup, cap, rate_limited, connects, ready_at, synced_at, sessions in report:
        expected = {i for i in room_ids if i > baseline}
        got = set(seen)
        lost += len(expected - got)
        missing.update(expected - got)
        for i in expected - got:
            if saved_at and i in saved_at:
                where[_when_missed(sessions, saved_at[i])] += 1
        if expected - got:
            lossy["clients"] += 1
            lossy["ready_after_sending"] += ready_at > sending_started
            lossy["synced_after_sending"] += (not synced_at) or synced_at > sending_started
            lossy_connects[connects] += 1
        extra += len(got - expected)
        doubled += dup[0]
        resent += dup[1]
        capped += cap
        limited += rate_limited
    return {
        "messages": len(room_ids),
        "lost": lost,
        "duplicated": doubled,
        "resent_on_a_later_socket": resent,
        "unexpected": extra,
        "capped_catch_ups": capped,
        "rate_limited_catch_ups": limited,
        # The ids missed most: one id missed by (nearly) every client is a message that
        # was saved but never broadcast; many ids missed by few, clients that fell behind.
        "most_missed": [{"id": i, "clients": n} for i, n in missing.most_common(20)],
        "lossy_clients": {**lossy, "connects": dict(sorted(lossy_connects.items()))},
        # Per missed delivery: was the client connected (and caught up) when it was saved?
        "missed_while": dict(where),
    }


def _most_missed(check: dict) -> str:
    pairs = [f"{m['id']}: {m['clients']}" for m in check["most_missed"][:8]]
    return ", ".join(pairs) or "-"


def report_text(args, result: dict, check: dict, load: str) -> str:
    lines = [
        f"clients: {args.clients} in {args.procs} processes from {args.addresses} addresses   "
        f"server workers: {args.workers}   database: {result['database']}   "
        f"messages: {args.rate:g}/s   load average before: {load}",
        "",
        "| restart | caught up | restart took s | all caught up s | after the restart s "
        "| queries | peak queries/s | queries/reconnect |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['mode']} | {row['caught_up']:,}/{row['clients']:,} | "
            f"{row['restart_seconds']} | {row['seconds_to_all_caught_up']} | "
            f"{row['seconds_after_last_drop']} | {row['queries']:,} | "
            f"{row['peak_queries_per_second']:,} | {row['queries_per_reconnect']} |"
        )
    lines += [
        "",
        f"messages in the room: {check['messages']:,}; catch-ups capped: "
        f"{check['capped_catch_ups']}; catch-ups rate limited: {check['rate_limited_catch_ups']}; "
        f"most missed (id: clients): {_most_missed(check)}; clients that lost any: "
        f"{check['lossy_clients']}; missed while: {check['missed_while']}; "
        f"sent again on a later socket (shown once): {check['resent_on_a_later_socket']}",
        "",
    ]
    verdicts = []
    for row in result["rows"]:
        seconds = row["seconds_after_last_drop"]
        ok = row["caught_up"] >= row["clients"] and seconds is not None
        verdicts.append(
            (
                f"{row['mode']}: all caught up after the restart",
                f"{seconds} s",
                f"all, < {TARGET_CATCH_UP_SECONDS:g} s",
                ok and seconds < TARGET_CATCH_UP_SECONDS,
            )
        )
    verdicts.append(("messages lost", str(check["lost"]), "0", check["lost"] == 0))
    verdicts.append(
        ("messages duplicated", str(check["duplicated"]), "0", check["duplicated"] == 0)
    )
    lines.append(common_scale.verdict_table(verdicts))
    result["verdicts"] = [
        {"measure": n, "value": v, "target": t, "met": ok} for n, v, t, ok in verdicts
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    limit = raise_file_limit()
    if limit < args.clients + 200:
        print(f"open-file limit {limit} is too low for {args.clients} clients")
        return 2
    load = common_scale.load_average()
    workdir = Path(tempfile.mkdtemp(prefix="hearth-stampede-"))
    try:
        env = run._configure_environment(
            SimpleNamespace(layer="redis", redis_url=args.redis_url), workdir
        )
        env["SCALE_WORKDIR"] = str(workdir)
        database = "sqlite"
        if args.database_url:
            env["DATABASE_URL"] = common_scale.scratch_postgres(
                args.database_url, "hearth_stampede", env
            )
            database = "postgresql"
        else:
            common_scale.migrated_sqlite(env["SQLITE_PATH"], env)
        os.environ.update(env)
        print("Preparing the scratch database (migrate, members, sessions)…", flush=True)
        members, moderators = scratch.prepare([ROOM], members=args.clients, moderators=1)
        started = time.monotonic()
        result = asyncio.run(_measure(args, env, members, moderators[0]))
        result["database"] = database
        saved_at = _room_messages()
        check = _check(result.pop("report"), list(saved_at), result["sending_started"], saved_at)
        print()
        print(report_text(args, result, check, load))
        print(
            f"\n(measured in {time.monotonic() - started:.0f} s; load average after: "
            f"{common_scale.load_average()})"
        )
        path = common_scale.write_result(
            "stampede",
            {
                "args": {k: v for k, v in vars(args).items() if k != "database_url"},
                "load_average": load,
                **result,
                "check": check,
            },
        )
        print(f"wrote {path.relative_to(common_scale.ROOT)}")
        run._flush_redis_keys(args.redis_url, env["CHANNEL_PREFIX"])
        met = all(v["met"] for v in result["verdicts"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
