"""Helpers of the stampede and presence scenarios: server workers that can be restarted
one by one, a count of the SQL they run, the client's reconnect schedule, tables.

Server workers are ``python -m bench.chat_fanout.common_scale PORT COUNTS_DIR``: Hearth's
ASGI application under uvicorn on a listening socket of its own bound with SO_REUSEPORT,
so several workers share one port (the kernel spreads new connections over them) and
one can be stopped and replaced while the others keep serving, as a rolling deploy
does. Each worker counts the SQL statements its database connections execute (a
``connection_created`` receiver installs an execute wrapper) and writes the running
total to ``COUNTS_DIR/<pid>`` every 50 ms; :class:`QueryMeter` sums those files.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "hearth-worker-ready"

# static/js/chat.js, reconnectDelay(): backoff with full jitter.
RECONNECT_SOON_CODE = 1013
RECONNECT_SOON_MS = (200, 800)
RECONNECT_FLOOR_MS = 500
RECONNECT_BASE_MS = 1000
RECONNECT_MAX_EXPONENT = 5
RECONNECT_CEILING_MS = 30000


def reconnect_delay(code: int | None, attempts: int) -> float:
    """Seconds before reconnect number ``attempts`` (1 = the first after a good catch-up),
    exactly as the browser client computes it."""
    if code == RECONNECT_SOON_CODE and attempts == 1:
        low, spread = RECONNECT_SOON_MS
        return (low + random.random() * spread) / 1000
    ceiling = min(
        RECONNECT_CEILING_MS, RECONNECT_BASE_MS * 2 ** min(attempts, RECONNECT_MAX_EXPONENT)
    )
    return (RECONNECT_FLOOR_MS + random.random() * ceiling) / 1000


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def migrated_sqlite(target: str, env: dict[str, str]) -> None:
    """Copy a migrated SQLite database to ``target``: migrating takes minutes on a busy
    machine, so the first run keeps a template (in the temporary folder) per state of
    the migration files."""
    import tempfile

    template = Path(tempfile.gettempdir()) / f"hearth-bench-{_migrations_digest()}.sqlite3"
    if not template.exists():
        partial = template.with_suffix(f".{os.getpid()}.partial")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0", "--no-input"],
            cwd=ROOT,
            env={**os.environ, **env, "SQLITE_PATH": str(partial)},
            check=True,
        )
        partial.replace(template)
    shutil.copyfile(template, target)


def _migrations_digest() -> str:
    import hashlib

    digest = hashlib.sha1()
    for path in sorted(ROOT.glob("*/**/migrations/*.py")):
        if ".venv" not in path.parts:
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def scratch_postgres(url: str, name: str, env: dict[str, str]) -> str:
    """Database ``name``, fresh and migrated, on the server of ``url``; its URL. A
    migrated template database is kept per state of the migration files."""
    import psycopg

    base = url.rsplit("/", 1)[0]
    template = f"hearth_bench_template_{_migrations_digest()}"
    with psycopg.connect(url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{template}"')
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--verbosity", "0", "--no-input"],
                cwd=ROOT,
                env={**os.environ, **env, "DATABASE_URL": f"{base}/{template}"},
                check=True,
            )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return f"{base}/{name}"


def write_result(scenario: str, data: dict) -> Path:
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"chat-{scenario}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def verdict_table(rows: list[tuple[str, str, str, bool]]) -> str:
    lines = ["| measure | value | target | met |", "|---|---:|---|---|"]
    for name, value, target, ok in rows:
        lines.append(f"| {name} | {value} | {target} | {'yes' if ok else 'NO'} |")
    return "\n".join(lines)


# --- server workers ----------------------------------------------------------------------


class Worker:
    """One server process; ``ready`` once it listens."""

    def __init__(self, port: int, counts_dir: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.chat_fanout.common_scale", str(port), str(counts_dir)],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if READY_LINE in line:
                self.ready.set()

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.1):
            if self.process.poll() is not None:
                raise RuntimeError(f"a server worker exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("a server worker did not start in time")

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class QueryMeter:
    """SQL statements executed by every worker (the live ones and the stopped ones)."""

    def __init__(self, counts_dir: Path) -> None:
        self.dir = counts_dir
        self.dir.mkdir(parents=True, exist_ok=True)

    def total(self) -> int:
        total = 0
        for path in self.dir.glob("[0-9]*"):
            with contextlib.suppress(ValueError, OSError):
                total += int(path.read_text() or 0)
        return total


class Sampler:
    """Samples a counter every ``every`` seconds in a thread: (monotonic time, value)."""

    def __init__(self, read, every: float = 0.1) -> None:
        self.read = read
        self.every = every
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), self.read()))
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def between(self, start: float, end: float) -> tuple[int, float]:
        """(count between the two times, peak rate per second over one sample step)."""
        inside = [s for s in self.samples if start - self.every <= s[0] <= end + self.every]
        if len(inside) < 2:
            return 0, 0.0
        peak = 0.0
        for (t0, v0), (t1, v1) in zip(inside, inside[1:], strict=False):
            if t1 > t0:
                peak = max(peak, (v1 - v0) / (t1 - t0))
        return inside[-1][1] - inside[0][1], peak


# --- the worker process itself -------------------------------------------------------------


def _count_queries(counts_dir: Path) -> None:
    from django.db.backends.signals import connection_created

    lock = threading.Lock()
    total = [0]
    counts_dir.mkdir(parents=True, exist_ok=True)
    path = counts_dir / str(os.getpid())
    partial = counts_dir / f".{os.getpid()}"

    def counted(execute, sql, params, many, context):
        with lock:
            total[0] += 1
        return execute(sql, params, many, context)

    def on_connection(sender, connection, **kwargs):
        if counted not in connection.execute_wrappers:
            connection.execute_wrappers.append(counted)

    connection_created.connect(on_connection, weak=False)

    def flush() -> None:
        last = -1
        while True:
            if total[0] != last:
                last = total[0]
                partial.write_text(str(last))
                partial.replace(path)  # a reader never sees a half-written file
            time.sleep(0.05)

    threading.Thread(target=flush, daemon=True).start()


def _unbatched_presence() -> None:
    """Presence as it was before batches (for comparison): every arrival and departure
    announced to the whole room at once, in a frame of its own."""
    import asyncio

    from community.chat import presence

    def changed(self, room_id, person, *, here):
        asyncio.get_running_loop().create_task(
            self._announce(room_id, [person] if here else [], [] if here else [person])
        )

    presence.Batches.changed = changed


def serve(port: int, counts_dir: Path) -> None:
    import uvicorn

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    import django

    django.setup()
    _count_queries(counts_dir)
    if os.environ.get("BENCH_PRESENCE_UNBATCHED") == "1":
        _unbatched_presence()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4096)
    sock.set_inheritable(True)
    config = uvicorn.Config(
        "hearth.asgi:application",
        ws="websockets-sansio",
        loop="uvloop",
        lifespan="off",
        log_level="warning",
        access_log=False,
        backlog=4096,
    )

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            print(READY_LINE, flush=True)

    Server(config).run(sockets=[sock])


if __name__ == "__main__":
    serve(int(sys.argv[1]), Path(sys.argv[2]))
