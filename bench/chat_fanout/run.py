"""300 sockets in one room, one sender at stepped rates, three servers in one run.

    python -m bench.chat_fanout                      # in-memory channel layer
    python -m bench.chat_fanout --layer redis        # channels_redis (REDIS_URL or --redis-url)

Servers, each started fresh on 127.0.0.1 and measured in turn with the same client:

- hearth: Hearth's own ASGI application under uvicorn: the real ChatConsumer with
  session authentication, Origin check, every message saved to the database through
  ``send_message`` before it is broadcast, and the per-process room hub (fanout.py).
- stock: the Channels tutorial consumer (``stock.py``): ``group_send`` to a group
  holding every socket, under the same uvicorn.
- bare: ``websockets`` alone (``bare_server.py``): encode once, ``broadcast``.

For each rate step the sender sends ``rate`` messages a second for ``--seconds``;
every client notes when each message arrives. Reported per step: deliveries per
second (frames received by all clients / time from the first send to the last
arrival), p50 and p99 latency (send to arrival, same clock), and reach (received /
sent x clients). A server's saturated rate is its best deliveries/s over the steps.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK = "bench#"
ROOM_SLUG = "bench"
SERVERS = ("hearth", "stock", "bare")
# Opt-in diagnostic (see quiet.py): not part of the default run or of the targets.
EXTRA_SERVERS = ("hearth-quiet",)
APPS = {
    "hearth": "hearth.asgi:application",
    "hearth-quiet": "bench.chat_fanout.quiet:application",
    "stock": "bench.chat_fanout.stock:application",
}
DEFAULT_RATES = "10,20,34,60,100,150"
# A step that delivers less than this share of its offered load shows saturation; the
# higher steps are skipped for that server (they would only queue up a longer backlog).
SATURATED_BELOW = 0.7


@dataclass
class Step:
    server: str
    rate: float
    sent: int = 0
    received: int = 0
    clients: int = 0
    first_send: float = 0.0
    last_arrival: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return self.sent * self.clients

    @property
    def reach(self) -> float:
        return self.received / self.expected if self.expected else 0.0

    @property
    def deliveries_per_second(self) -> float:
        elapsed = self.last_arrival - self.first_send
        return self.received / elapsed if elapsed > 0 else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def row(self) -> dict:
        return {
            "server": self.server,
            "rate": self.rate,
            "offered": self.rate * self.clients,
            "deliveries_per_second": round(self.deliveries_per_second),
            "p50_ms": round(self.percentile(0.50), 1),
            "p99_ms": round(self.percentile(0.99), 1),
            "reach": round(self.reach, 4),
        }


# --- environment and servers ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _configure_environment(args, workdir: Path) -> dict[str, str]:
    tag = f"bench{os.getpid()}"
    env = {
        "DJANGO_SETTINGS_MODULE": "hearth.settings",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use-1234567890",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "HTTPS": "false",
        "HEARTH_TESTING": "false",
        "SQLITE_PATH": str(workdir / "bench.sqlite3"),
        "LOG_LEVEL": "WARNING",
        "CACHE_KEY_PREFIX": tag,
        "CHANNEL_PREFIX": tag,
        "PYTHONPATH": str(ROOT),
    }
    if args.layer == "redis":
        env["REDIS_URL"] = args.redis_url
    else:
        env["REDIS_URL"] = ""
    os.environ.update(env)
    return env


DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


def use_database(env: dict[str, str], url: str, name: str) -> None:
    """With a PostgreSQL ``url``, point this process and the servers at a fresh scratch
    database ``name`` on that server (production's database); else keep the SQLite file
    of ``_configure_environment``."""
    if not url:
        os.environ.pop("DATABASE_URL", None)
        return
    from bench.chat_fanout import common_scale

    env["DATABASE_URL"] = os.environ["DATABASE_URL"] = common_scale.scratch_postgres(url, name, env)


def start_task_worker(env: dict[str, str]) -> subprocess.Popen:
    """One ``db_worker``, as ``make serve`` runs beside the web processes. At the lowest
    priority: in production it has cores of its own, here it shares two with the servers
    and the clients, and what it does may wait (its backlog is reported)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        preexec_fn=lambda: os.nice(19),
    )


async def tasks_waiting() -> int:
    """Tasks queued and not yet run (the database task backend)."""
    from asgiref.sync import sync_to_async
    from django_tasks_db.models import DBTaskResult

    def count() -> int:
        return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()

    return await sync_to_async(count)()


async def wait_tasks_drained(cap: float) -> float:
    """Seconds until no task waits (checked every 0.5 s), or -1 after ``cap``."""
    started = time.monotonic()
    while time.monotonic() - started < cap:
        if await tasks_waiting() == 0:
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    return -1.0


def _prepare_database(clients: int) -> tuple[list[str], str]:
    """Migrate a fresh SQLite file; make the room, the members and their sessions."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from community.chat.models import Room
    from community.models import MODERATORS_GROUP, User

    call_command("migrate", verbosity=0, interactive=False)
    Room.objects.get_or_create(slug=ROOM_SLUG, defaults={"name": "Bench"})
    # An unusable password: no hashing cost, and sessions still carry a valid auth hash.
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", email=f"bench{i}@example.com", password="!bench")
            for i in range(clients + 1)
        ]
    )
    # The sender is a moderator: members are (rightly) limited to 40 messages / 30 s.
    users[0].groups.add(Group.objects.get(name=MODERATORS_GROUP))

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    keys = [session_for(user) for user in users]
    return keys[1:], keys[0]


def _start_server(kind: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    python = sys.executable
    if kind == "bare":
        cmd = [python, "-m", "bench.chat_fanout.bare_server", str(port)]
    else:
        cmd = [
            python, "-m", "uvicorn", APPS[kind],
            "--host", "127.0.0.1", "--port", str(port),
            "--ws", "websockets-sansio", "--loop", "uvloop", "--lifespan", "off",
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})


async def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start in {timeout:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- clients ---------------------------------------------------------------------------


class Room:
    """The receiving side: every client reports each arrival here."""

    def __init__(self) -> None:
        self.step: Step | None = None
        self.sent_at: dict[int, float] = {}

    def arrived(self, text: str) -> None:
        start = text.find(MARK)
        step = self.step
        if start < 0 or step is None:
            return
        start += len(MARK)
        seq = int(text[start : text.index("#", start)])
        sent = self.sent_at.get(seq)
        if sent is None:  # a straggler from the previous step
            return
        now = time.perf_counter()
        step.received += 1
        step.latencies.append(now - sent)
        step.last_arrival = now


def _urls(kind: str, port: int) -> str:
    if kind.startswith("hearth"):
        return f"ws://127.0.0.1:{port}/ws/chat/{ROOM_SLUG}/"
    return {"stock": f"ws://127.0.0.1:{port}/ws/stock/", "bare": f"ws://127.0.0.1:{port}/"}[kind]


async def _open(url: str, origin: str, session: str | None):
    from websockets.asyncio.client import connect

    headers = {"Origin": origin}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    return await connect(
        url,
        additional_headers=headers,
        compression=None,
        ping_interval=None,
        open_timeout=60,
        max_queue=None,
        max_size=2**20,
    )


async def _listen(ws, room: Room) -> None:
    with contextlib.suppress(Exception):
        async for text in ws:
            room.arrived(text)


async def _drain(ws) -> None:
    with contextlib.suppress(Exception):
        async for _ in ws:
            pass


async def measure(
    kind: str,
    port: int,
    *,
    clients: int,
    rates: list[float],
    seconds: float,
    sessions: list[str] | None,
    sender_session: str | None,
) -> list[Step]:
    url = _urls(kind, port)
    origin = f"http://127.0.0.1:{port}"
    room = Room()
    gate = asyncio.Semaphore(50)

    async def open_one(i: int):
        async with gate:
            return await _open(url, origin, sessions[i] if sessions else None)

    sockets = await asyncio.gather(*(open_one(i) for i in range(clients)))
    listeners = [asyncio.create_task(_listen(ws, room)) for ws in sockets]
    sender = await _open(url, origin, sender_session)
    sender_drain = asyncio.create_task(_drain(sender))
    await asyncio.sleep(2)  # let join/presence traffic settle

    steps: list[Step] = []
    seq = 0
    try:
        for rate in rates:
            step = Step(server=kind, rate=rate, clients=clients)
            room.sent_at = {}
            room.step = step
            count = max(1, int(rate * seconds))
            interval = 1.0 / rate
            start = time.perf_counter()
            step.first_send = start
            for k in range(count):
                delay = start + k * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                seq += 1
                room.sent_at[seq] = time.perf_counter()
                await sender.send(json.dumps({"type": "send", "body": f"{MARK}{seq}# hello"}))
                step.sent += 1
            # Drain: until everything arrived, or nothing arrived for 3 s (capped).
            deadline = time.perf_counter() + 30
            last_seen, last_change = step.received, time.perf_counter()
            while step.received < step.expected and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
                if step.received != last_seen:
                    last_seen, last_change = step.received, time.perf_counter()
                elif time.perf_counter() - last_change > 3:
                    break
            room.step = None
            steps.append(step)
            row = step.row()
            print(
                f"  {kind:<6} {rate:>5.0f} msg/s  offered {row['offered']:>7.0f}/s  "
                f"delivered {row['deliveries_per_second']:>7}/s  p50 {row['p50_ms']:>7} ms  "
                f"p99 {row['p99_ms']:>7} ms  reach {row['reach']:.3f}",
                flush=True,
            )
            if step.deliveries_per_second < SATURATED_BELOW * step.rate * step.clients:
                print(f"  {kind:<6} saturated: higher steps skipped", flush=True)
                break
            await asyncio.sleep(0.5)
    finally:
        for ws in [*sockets, sender]:
            with contextlib.suppress(Exception):
                await ws.close()
        for task in [*listeners, sender_drain]:
            task.cancel()
        await asyncio.gather(*listeners, sender_drain, return_exceptions=True)
    return steps


# --- report ----------------------------------------------------------------------------


def _saturated(steps: list[Step]) -> float:
    return max((s.deliveries_per_second for s in steps), default=0.0)


def _p99_near(steps: list[Step], target: float = 10_000) -> tuple[float, float]:
    """p99 at the step whose offered load is nearest to ``target`` deliveries/s."""
    step = min(steps, key=lambda s: abs(s.rate * s.clients - target))
    return step.rate * step.clients, step.percentile(0.99)


def report(results: dict[str, list[Step]], args) -> str:
    lines = [
        f"layer: {args.layer}   clients: {args.clients}   step: {args.seconds:g} s   "
        f"rates (msg/s): {args.rates}",
        "",
        "| server | msg/s | offered/s | deliveries/s | p50 ms | p99 ms | reach |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, steps in results.items():
        for step in steps:
            row = step.row()
            lines.append(
                f"| {kind} | {row['rate']:g} | {row['offered']:,.0f} | "
                f"{row['deliveries_per_second']:,} | {row['p50_ms']} | {row['p99_ms']} | "
                f"{row['reach']:.3f} |"
            )
    lines.append("")
    saturated = {kind: _saturated(steps) for kind, steps in results.items()}
    for kind, value in saturated.items():
        lines.append(f"- {kind}: saturated at {value:,.0f} deliveries/s")
    for kind in ("hearth", "hearth-quiet"):
        if kind in results:
            lines.extend(_verdicts(kind, results[kind], saturated))
    return "\n".join(lines)


def _verdicts(kind: str, steps: list[Step], saturated: dict[str, float]) -> list[str]:
    lines = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    if saturated.get("stock"):
        ratio = saturated[kind] / saturated["stock"]
        lines.append(f"- {kind} / stock = {ratio:.2f}x (target >= 4x): {verdict(ratio >= 4)}")
    if saturated.get("bare"):
        ratio = saturated[kind] / saturated["bare"]
        lines.append(f"- {kind} / bare = {ratio:.2f}x (target >= 0.8x): {verdict(ratio >= 0.8)}")
    offered, p99 = _p99_near(steps)
    lines.append(
        f"- {kind} p99 at {offered:,.0f} offered deliveries/s = {p99:.1f} ms "
        f"(target < 100 ms): {verdict(p99 < 100)}"
    )
    reach = min(s.reach for s in steps)
    lines.append(f"- {kind} lowest reach = {reach:.3f} (target 1.000): {verdict(reach >= 1)}")
    return lines


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(prog="python -m bench.chat_fanout", description=__doc__)
    parser.add_argument("--layer", choices=["memory", "redis"], default="memory")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    )
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--rates", default=DEFAULT_RATES, help="messages/s per step, e.g. 10,34")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each step")
    parser.add_argument("--servers", default=",".join(SERVERS))
    args = parser.parse_args(argv)
    args.rate_list = [float(r) for r in args.rates.split(",") if r.strip()]
    args.server_list = [s.strip() for s in args.servers.split(",") if s.strip()]
    unknown = set(args.server_list) - set(SERVERS) - set(EXTRA_SERVERS)
    if unknown:
        parser.error(f"unknown servers: {', '.join(sorted(unknown))}")
    if not args.rate_list or min(args.rate_list) <= 0:
        parser.error("rates must be positive numbers")
    return args


async def _run(args, env: dict[str, str], sessions, sender_session) -> dict[str, list[Step]]:
    results: dict[str, list[Step]] = {}
    for kind in args.server_list:
        port = _free_port()
        process = _start_server(kind, port, env)
        try:
            await _wait_for_port(port, process)
            print(f"{kind}: {args.clients} clients on 127.0.0.1:{port}", flush=True)
            authenticated = kind.startswith("hearth")
            results[kind] = await measure(
                kind,
                port,
                clients=args.clients,
                rates=args.rate_list,
                seconds=args.seconds,
                sessions=sessions if authenticated else None,
                sender_session=sender_session if authenticated else None,
            )
        finally:
            _stop(process)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    try:
        env = _configure_environment(args, workdir)
        sessions: list[str] | None = None
        sender_session = None
        if any(kind.startswith("hearth") for kind in args.server_list):
            print("Preparing a fresh database (migrate, members, sessions)…", flush=True)
            sessions, sender_session = _prepare_database(args.clients)
        started = time.monotonic()
        try:
            import uvloop

            runner = uvloop.run
        except ImportError:  # pragma: no cover
            runner = asyncio.run
        results = runner(_run(args, env, sessions, sender_session))
        print()
        print(report(results, args))
        print(f"\n(measured in {time.monotonic() - started:.0f} s)")
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"chat_fanout-{args.layer}.json").write_text(
            json.dumps({k: [s.row() for s in v] for k, v in results.items()}, indent=2)
        )
        if args.layer == "redis":
            _flush_redis_keys(args.redis_url, env["CHANNEL_PREFIX"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _flush_redis_keys(url: str, prefix: str) -> None:
    """Remove this run's keys (channel layer and cache) from the shared Redis."""
    try:
        import redis

        client = redis.Redis.from_url(url)
        for pattern in (f"{prefix}*", f":*:{prefix}*", f"{prefix}:*"):
            keys = list(client.scan_iter(match=pattern, count=1000))
            if keys:
                client.delete(*keys)
    except Exception:  # pragma: no cover - cleanup is best effort
        pass
