"""Soak Hearth's production shape with locust, headless, on 127.0.0.1 only.

    python -m bench.soak            # make bench-soak: SOAK_MINUTES=10 SOAK_USERS=60 SOAK_WORKERS=2
    python -m bench.soak --check    # validate the harness without load (no server, no database)

1. Creates (or reuses) its own PostgreSQL database, migrates it and seeds it once (seed.py).
2. Starts every process of the Procfile, read from it, as `make serve` does: ``web``
   (uvicorn with N workers), ``worker`` (``manage.py db_worker``) and ``scheduler``
   (``manage.py run_scheduler``), DEBUG off, after collectstatic.
3. Runs locust headless (locustfile.py, its own virtualenv bench/soak/.venv) for the given
   minutes and users, while a sampler reads, every second, the PostgreSQL connections to
   the soak database (pg_stat_activity) and the RSS of each web worker, the task worker
   and the scheduler.
4. Prints one table (report.py), writes it to bench/soak/last-run.md, and exits non-zero
   when a request failed, a server logged an error, the connections went over
   pool max x (web workers + the other Procfile processes), a process's RSS grew past the
   bound, or the scheduler's log shows no job run.
5. Stops everything it started, also on Ctrl-C or failure.

Settings come from the environment (the Makefile passes them through): SOAK_MINUTES,
SOAK_USERS, SOAK_WORKERS, SOAK_SPAWN_RATE, DATABASE_URL, REDIS_URL, DATABASE_POOL_MAX_SIZE.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.soak import report
from bench.soak.scenarios import PAGE_TYPES

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "bench" / "soak"
SOAK_VENV = HERE / ".venv"
REQUIREMENTS = HERE / "requirements.txt"
RESULTS = HERE / "results"  # seed.json, locust's CSV files, the sampler's series (git-ignored)
LOGS = HERE / "logs"  # what every process printed (git-ignored)
LAST_RUN = HERE / "last-run.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hearth_soak"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
KEY_PREFIX = "hearth_soak_"  # this benchmark's Redis keys: cache and channel layer
DB_MARK = "Scratch database of Hearth's soak benchmark (bench/soak); safe to drop."
SECRET_KEY = "soak-only-secret-key-not-for-production-0123456789-abcdefghijklmnop"


@dataclass
class Settings:
    minutes: float
    users: int
    workers: int
    spawn_rate: float
    database_url: str
    redis_url: str
    pool_max: int
    fresh: bool
    port: int = 0

    @property
    def run_seconds(self) -> int:
        return max(10, round(self.minutes * 60))

    @property
    def warmup_seconds(self) -> float:
        """Until every user is running and the caches are warm: ramp-up plus 30 s."""
        return min(self.users / self.spawn_rate + 30, self.run_seconds / 2)

    @property
    def pg_bound(self) -> int:
        """Each uvicorn worker and each other Procfile process holds a pool of its own."""
        return self.pool_max * (self.workers + len(procfile_processes()) - 1)

    @property
    def database(self) -> str:
        return urlsplit(self.database_url).path.lstrip("/")

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _env_number(name: str, default: float, kind=float):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise SystemExit(f"{name} must be positive, not {raw!r}")
    return value


def parse_args(argv: list[str] | None = None) -> tuple[argparse.Namespace, Settings]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="validate the harness, no load")
    parser.add_argument(
        "--fresh", action="store_true", help="drop and re-create the soak database first"
    )
    args = parser.parse_args(argv)
    users = _env_number("SOAK_USERS", 60, int)
    settings = Settings(
        minutes=_env_number("SOAK_MINUTES", 10),
        users=users,
        workers=_env_number("SOAK_WORKERS", 2, int),
        # Everyone is running after about 30 s.
        spawn_rate=_env_number("SOAK_SPAWN_RATE", max(1, math.ceil(users / 30))),
        database_url=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        redis_url=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        pool_max=_env_number("DATABASE_POOL_MAX_SIZE", 10, int),
        fresh=args.fresh,
    )
    if not settings.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must point at PostgreSQL: the soak measures that shape.")
    for url in (settings.database_url, settings.redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"{url}: the soak only talks to this machine (127.0.0.1).")
    return args, settings


# --- processes ---------------------------------------------------------------------------


class Processes:
    """Everything this run started, each in its own process group; stopped in reverse order."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen, list]] = []

    def start(self, label: str, cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        """Start ``cmd`` with its output in ``log`` (stderr apart in ``*.err.log`` for the
        servers, where their errors are looked for)."""
        out = open(log, "ab")  # noqa: SIM115 - closed in stop_all()
        err = out if label == "locust" else open(log.with_suffix(".err.log"), "ab")  # noqa: SIM115
        process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # Ctrl-C reaches only us; we stop them in order
        )
        self.started.append((label, process, [out, err]))
        return process

    def stop(self, process: subprocess.Popen, timeout: float = 30) -> None:
        """SIGTERM to the leader (uvicorn passes it on to its workers), then SIGKILL to
        whatever is left in its process group."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # stragglers (orphaned workers)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    def stop_all(self) -> None:
        for label, process, handles in reversed(self.started):
            if process.poll() is None:
                print(f"  stopping {label} (pid {process.pid})", flush=True)
            self.stop(process)
            for handle in handles:
                handle.close()
        self.started.clear()


def run_step(cmd: list[str], env: dict[str, str], what: str) -> None:
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"{what} failed (exit {result.returncode})")
    for line in result.stdout.splitlines():
        if line.startswith("  "):
            print(line, flush=True)
    print(f"  {what}: done in {time.monotonic() - started:.0f} s", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(settings: Settings) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing from a developer's shell that would change the shape under test.
        if not key.startswith(("PYTEST", "HEARTH_", "EMAIL_", "SOAK_", "CHANNEL_", "CACHE_"))
        and key not in ("DJANGO_SETTINGS_MODULE", "SQLITE_PATH", "WEB_WORKERS")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="hearth.settings",
        PYTHONPATH=str(ROOT),
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="false",
        BASE_URL=settings.host,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        DATABASE_URL=settings.database_url,
        DATABASE_POOL_MAX_SIZE=str(settings.pool_max),
        REDIS_URL=settings.redis_url,
        CACHE_KEY_PREFIX=f"{KEY_PREFIX}cache",
        CHANNEL_PREFIX=f"{KEY_PREFIX}chan",
        MEDIA_ROOT=str(HERE / ".media"),  # demo images and renditions, not the checkout's
    )
    return env


# --- PostgreSQL and Redis ---------------------------------------------------------------------


def _maintenance_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def prepare_database(
    settings: Settings, *, mark: str = DB_MARK, default_url: str = DEFAULT_DATABASE_URL
) -> None:
    """Create the benchmark's database, or reuse it if a benchmark made it with this
    ``mark`` (never another database)."""
    import psycopg
    from psycopg import sql

    name = settings.database
    with psycopg.connect(_maintenance_url(settings.database_url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None and row[0] != mark:
            raise SystemExit(
                f"DATABASE_URL points at {name!r}, which this benchmark did not create; "
                f"point it at a scratch database (default {default_url})."
            )
        if row is not None and settings.fresh:
            print(f"  dropping {name} (--fresh)", flush=True)
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            row = None
        if row is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(mark)
                )
            )
            print(f"  created database {name}", flush=True)
        else:
            print(f"  reusing database {name}", flush=True)


def describe_versions(settings: Settings) -> str:
    import psycopg
    import redis

    with psycopg.connect(_maintenance_url(settings.database_url)) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    info = redis.Redis.from_url(settings.redis_url).info("server")
    locust = subprocess.run(
        [str(SOAK_VENV / "bin" / "locust"), "--version"], capture_output=True, text=True
    ).stdout.split()
    return (
        f"PostgreSQL {pg}, Redis {info['redis_version']}, uvicorn {version('uvicorn')}, "
        f"Django {version('django')}, locust {locust[1] if len(locust) > 1 else '?'}"
    )


def clear_redis_keys(url: str, prefix: str = KEY_PREFIX) -> int:
    """Remove a benchmark's keys (rate-limit buckets, presence, channel groups)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    return len(keys)


# --- sampling ------------------------------------------------------------------------------


def _rss(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        # uvicorn's workers (multiprocessing spawn), not its resource tracker
        if ppid == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


# How the report names the Procfile's processes other than ``web`` (its workers are sampled).
LABELS = {"worker": "task worker (db_worker)", "scheduler": "scheduler (run_scheduler)"}


@dataclass
class Sampler:
    """Every second: connections to the soak database and the RSS of each server process."""

    settings: Settings
    servers: dict[str, subprocess.Popen]  # the Procfile's processes by name
    series: list[tuple[float, int, dict[int, int]]] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)
    pg_peak: int = 0
    pg_now: int = 0
    pg_busy_peak: int = 0
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sampler", daemon=True)
        self.began = time.monotonic()

    def processes(self) -> dict[int, str]:
        workers = _children(self.servers["web"].pid)
        labels = {pid: f"web worker {i + 1}" for i, pid in enumerate(workers)}
        for name, process in self.servers.items():
            if name != "web":
                labels[process.pid] = LABELS.get(name, name)
        return labels

    def start(self) -> None:
        self.labels = self.processes()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def latest_rss(self) -> dict[int, int]:
        return dict(self.series[-1][2]) if self.series else {}

    def _loop(self) -> None:
        import psycopg

        query = (
            "SELECT count(*), count(*) FILTER (WHERE state <> 'idle') "
            "FROM pg_stat_activity WHERE datname = %s"
        )
        conn = psycopg.connect(_maintenance_url(self.settings.database_url), autocommit=True)
        try:
            while not self._stop.is_set():
                tick = time.monotonic()
                try:
                    self.pg_now, busy = conn.execute(query, [self.settings.database]).fetchone()
                except psycopg.Error as exc:
                    self.errors.append(str(exc))
                    conn = psycopg.connect(
                        _maintenance_url(self.settings.database_url), autocommit=True
                    )
                    continue
                self.pg_peak = max(self.pg_peak, self.pg_now)
                self.pg_busy_peak = max(self.pg_busy_peak, busy)
                for pid in self.processes():  # a replaced worker shows up as a new pid
                    self.labels.setdefault(pid, f"web worker (new, pid {pid})")
                rss = {pid: value for pid in self.labels if (value := _rss(pid)) is not None}
                self.series.append((tick - self.began, self.pg_now, rss))
                self._stop.wait(max(0.0, 1.0 - (time.monotonic() - tick)))
        finally:
            conn.close()

    def write_csv(self, path: Path) -> None:
        pids = list(self.labels)
        with open(path, "w") as out:
            out.write("seconds,pg_connections," + ",".join(f"rss_mb_{p}" for p in pids) + "\n")
            for t, pg, rss in self.series:
                values = ",".join(f"{rss[p] / report.MB:.1f}" if p in rss else "" for p in pids)
                out.write(f"{t:.1f},{pg},{values}\n")


# --- the run ---------------------------------------------------------------------------------


def ensure_soak_venv() -> Path:
    """bench/soak/.venv with the pinned locust: made on first use, redone when the pins change."""
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = SOAK_VENV / ".requirements-sha256"
    locust = SOAK_VENV / "bin" / "locust"
    if locust.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return locust
    print(f"Installing locust into {SOAK_VENV.relative_to(ROOT)} (its own virtualenv)…")
    subprocess.run([sys.executable, "-m", "venv", str(SOAK_VENV)], check=True)
    pip = [str(SOAK_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(wanted + "\n")
    return locust


def check() -> int:
    """Validate the harness without load: the seeder's imports and the commands it runs
    (here, Hearth's virtualenv), the report on made-up numbers, then a dry run of the
    locustfile (the soak's own virtualenv)."""
    os.environ.setdefault("HEARTH_TESTING", "true")  # settings without a SECRET_KEY; no DB use
    from django.core.management import get_commands

    from bench.soak import seed  # sets Django up; fails if a Hearth name it uses is gone

    commands = ["migrate", "collectstatic", "load_demo", "generate_referral_data"]
    names = [name for name, _ in procfile_processes()]
    problems = [] if names[:1] == ["web"] else [f"the Procfile starts with {names[:1]}, not web"]
    for _, command in procfile_processes():
        words = command.split()
        if words[:2] == ["python", "manage.py"] and len(words) > 2:
            commands.append(words[2])
    problems += [
        f"manage.py {name} is gone (the soak runs it)"
        for name in commands
        if name not in get_commands()
    ]
    sample = report.Outcome(
        rows=[report.Row("home", 10, 0, 1.0, 12, 30, 45)],
        total=report.Row("Aggregated", 10, 0, 1.0, 12, 30, 45),
        failures=[],
        exceptions=[],
        server_errors=[],
        pg_peak=3,
        pg_bound=30,
        processes=[report.Process("web worker 1", 1, 100 * report.MB, 120 * report.MB)],
        scheduler=report.read_scheduler_log(
            ["INFO hearth.scheduler: scheduler h:1: started with 9 jobs",
             "INFO hearth.scheduler: job=publish_scheduled slot=2026-11-30T10:05:00+00:00 "
             "outcome=ok duration=0.010s output=''"],
            since="2026-11-30T10:00:00+00:00",
        ),
        server_logs=[name for name, _ in procfile_processes()],
    )  # fmt: skip
    rendered = report.render(sample, header=[], minutes=1)
    if not sample.judge() or "**PASS**" not in rendered or "publish_scheduled" not in rendered:
        problems.append(f"the report fails a clean run: {sample.verdicts}")
    for problem in problems:
        print(f"  FAIL {problem}")
    print(f"  seeder and report: {'ok' if not problems else 'FAILED'} ({seed.__name__})")
    ensure_soak_venv()
    result = subprocess.run(
        [str(SOAK_VENV / "bin" / "python"), "-m", "bench.soak.check"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    ok = not problems and result.returncode == 0
    print("check passed" if ok else "check FAILED")
    return 0 if ok else 1


def wait_healthy(settings: Settings, servers: list[subprocess.Popen], timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in servers:
            if process.poll() is not None:
                raise SystemExit(f"a server exited with {process.returncode}: see {LOGS}")
        try:
            with urllib.request.urlopen(f"{settings.host}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"/healthz did not answer 200 within {timeout:.0f} s: see {LOGS}")


def _progress(sampler: Sampler, elapsed: float, settings: Settings) -> str:
    rps = failures = "?"
    history = RESULTS / "locust_stats_history.csv"
    with contextlib.suppress(OSError, IndexError, ValueError):
        last = [line for line in history.read_text().splitlines() if ",Aggregated," in line][-1]
        header = history.read_text().splitlines()[0].split(",")
        values = dict(zip(header, last.split(","), strict=False))
        rps = f"{float(values['Requests/s']):.1f}"
        failures = values["Total Failure Count"]
    rss = "  ".join(
        f"{sampler.labels.get(pid, pid).split(' (')[0]} {value / report.MB:.0f} MB"
        for pid, value in sampler.latest_rss().items()
    )
    return (
        f"  [{int(elapsed) // 60:2d}:{int(elapsed) % 60:02d}] req/s {rps}  failures {failures}  "
        f"pg {sampler.pg_now} (peak {sampler.pg_peak}/{settings.pg_bound})  {rss}"
    )


def procfile_processes() -> list[tuple[str, str]]:
    """The Procfile's processes in order, as (name, command): what `make serve` runs."""
    found = []
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, colon, command = line.partition(":")
        if colon and not line.startswith("#") and name.strip() and command.strip():
            found.append((name.strip(), command.strip()))
    return found


def procfile_command(name: str) -> str:
    for found, command in procfile_processes():
        if found == name:
            return command
    raise SystemExit(f"The Procfile has no {name!r} process.")


def soak(settings: Settings, processes: Processes) -> int:
    locust = ensure_soak_venv()
    RESULTS.mkdir(exist_ok=True)
    LOGS.mkdir(exist_ok=True)
    for old in [*RESULTS.glob("locust_*.csv"), *LOGS.glob("*.log")]:
        old.unlink()
    settings.port = free_port()
    env = server_environment(settings)
    python = sys.executable
    load_before = os.getloadavg()

    print(f"== database {settings.database} and seed data", flush=True)
    prepare_database(settings)
    run_step([python, "manage.py", "migrate", "--noinput"], env, "migrate")
    seed_file = RESULTS / "seed.json"
    run_step([python, "-m", "bench.soak.seed", "--out", str(seed_file)], env, "seed")
    run_step([python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env, "static")
    cleared = clear_redis_keys(settings.redis_url)
    print(f"  redis: cleared {cleared} keys of an earlier run ({KEY_PREFIX}*)", flush=True)

    print(f"== servers on {settings.host}: every process of the Procfile", flush=True)
    # Exactly what `make serve` runs: each Procfile line, with this virtualenv's python and
    # uvicorn first on PATH; the web process gets the host, port and worker count.
    servers: dict[str, subprocess.Popen] = {}
    scheduler_since = _utc_now()
    for name, command in procfile_processes():
        server_env = {**env, "PATH": f"{Path(python).parent}{os.pathsep}{env.get('PATH', '')}"}
        if name == "web":
            server_env.update(HOST="127.0.0.1", PORT=str(settings.port))
            server_env["WEB_WORKERS"] = str(settings.workers)
        servers[name] = processes.start(
            name, ["bash", "-c", "exec " + command], server_env, LOGS / f"{name}.log"
        )
        print(f"  {name}: {command}", flush=True)
    if "web" not in servers:
        raise SystemExit("The Procfile has no web process.")
    wait_healthy(settings, list(servers.values()))
    print(f"  logs in {LOGS.relative_to(ROOT)}/", flush=True)
    versions = describe_versions(settings)

    sampler = Sampler(settings, servers)
    sampler.start()
    print(
        f"== locust: {settings.users} users (spawn {settings.spawn_rate:g}/s) for "
        f"{settings.minutes:g} min; RSS start after {settings.warmup_seconds:.0f} s of warm-up",
        flush=True,
    )
    locust_cmd = [
        str(locust), "-f", str(HERE / "locustfile.py"), "--headless",
        "-u", str(settings.users), "-r", f"{settings.spawn_rate:g}",
        "--run-time", f"{settings.run_seconds}s", "--stop-timeout", "15",
        "--host", settings.host, "--csv", str(RESULTS / "locust"), "--only-summary",
    ]  # fmt: skip
    locust_env = {**env, "SOAK_SEED": str(seed_file)}
    runner = processes.start("locust", locust_cmd, locust_env, LOGS / "locust.log")
    began = time.monotonic()
    start_rss: dict[int, int] = {}
    start_cpu: dict[int, float | None] = {}
    warm_at = began
    locust_cpu: tuple[float, float | None] = (began, 0.0)
    every = 30 if settings.run_seconds >= 300 else 10
    next_line = every
    while runner.poll() is None:
        time.sleep(1)
        now = time.monotonic()
        elapsed = now - began
        if not start_rss and elapsed >= settings.warmup_seconds:
            start_rss = sampler.latest_rss()
            start_cpu = {pid: _cpu_seconds(pid) for pid in [*sampler.labels, runner.pid]}
            warm_at = now
        if start_cpu and (cpu := _cpu_seconds(runner.pid)) is not None:
            locust_cpu = (now, cpu)
        if elapsed >= next_line:
            print(_progress(sampler, elapsed, settings), flush=True)
            next_line += every
        if elapsed > settings.run_seconds + 120:
            print("  locust overran its run time by 2 minutes: stopping it", flush=True)
            processes.stop(runner)
    end_rss = sampler.latest_rss()
    ended = time.monotonic()
    cpu_share = {}
    for pid in sampler.labels:
        before, after = start_cpu.get(pid), _cpu_seconds(pid)
        if before is not None and after is not None and ended > warm_at:
            cpu_share[pid] = (after - before) / (ended - warm_at)
    locust_share = None
    if start_cpu.get(runner.pid) is not None and locust_cpu[1] and locust_cpu[0] > warm_at:
        locust_share = (locust_cpu[1] - start_cpu[runner.pid]) / (locust_cpu[0] - warm_at)
    live = sampler.processes()
    sampler.stop()
    sampler.write_csv(RESULTS / "resources.csv")
    load_after = os.getloadavg()
    print(f"  locust exited with {runner.returncode}", flush=True)

    print("== stopping the servers", flush=True)
    processes.stop_all()

    prefix = RESULTS / "locust"
    if not Path(f"{prefix}_stats.csv").exists():
        print(f"locust wrote no statistics: see {LOGS / 'locust.log'}", file=sys.stderr)
        return 1
    rows, total = report.read_stats(prefix)
    outcome = report.Outcome(
        rows=rows,
        total=total,
        failures=report.read_failures(prefix),
        exceptions=report.read_exceptions(prefix),
        server_errors=report.server_errors(sorted(LOGS.glob("*.err.log"))),
        pg_peak=sampler.pg_peak,
        pg_bound=settings.pg_bound,
        pg_busy_peak=sampler.pg_busy_peak,
        scheduler=report.read_scheduler_log(
            _lines(LOGS / "scheduler.err.log") if "scheduler" in servers else None,
            since=scheduler_since,
            # publish_scheduled runs every 5 minutes: a longer run sees at least one slot.
            expect_during=settings.run_seconds > 6 * 60,
        ),
        server_logs=list(servers),
        processes=[
            report.Process(
                label=label,
                pid=pid,
                start_rss=start_rss.get(pid),
                end_rss=end_rss.get(pid),
                gone=pid not in live or pid not in start_rss,  # exited, or started late
                cpu=cpu_share.get(pid),
            )
            for pid, label in sampler.labels.items()
        ],
    )
    outcome.judge()
    header = [
        f"`make bench-soak` (SOAK_MINUTES={settings.minutes:g} SOAK_USERS={settings.users} "
        f"SOAK_WORKERS={settings.workers} DATABASE_POOL_MAX_SIZE={settings.pool_max}), "
        f"{time.strftime('%d %b %Y %H:%M')}",
        "",
        f"- {settings.users} users spawned at {settings.spawn_rate:g}/s for "
        f"{settings.minutes:g} min against every process of the Procfile ("
        + ", ".join(
            f"{name}: `{_short(name, command, settings)}`" for name, command in procfile_processes()
        )
        + f") on 127.0.0.1, DEBUG off; {versions}",
        f"- machine: {os.cpu_count()} cores, shared with the load generator (locust used "
        f"{'?' if locust_share is None else f'{locust_share:.0%}'} of a core); load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after",
        f"- user mix (locust weights): visitors 6, members 3, chatters 2, one signing in; "
        f"{len(PAGE_TYPES)} page types",
    ]
    text = report.render(outcome, header=header, minutes=settings.minutes)
    print()
    print(text)
    LAST_RUN.write_text(text)
    print(f"(written to {LAST_RUN.relative_to(ROOT)}; series in {RESULTS.relative_to(ROOT)}/)")
    return 0 if not outcome.verdicts else 1


def _short(name: str, command: str, settings: Settings) -> str:
    """A Procfile command as the report names it: `uvicorn --workers 2`, `db_worker`."""
    if name == "web":
        return f"uvicorn --workers {settings.workers}"
    words = command.split()
    return words[2] if words[:2] == ["python", "manage.py"] and len(words) > 2 else command


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def _lines(path: Path) -> list[str]:
    return path.read_text(errors="replace").splitlines() if path.exists() else []


def raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args, settings = parse_args(argv)
    if args.check:
        return check()
    signal.signal(signal.SIGTERM, raise_interrupt)
    signal.signal(signal.SIGHUP, raise_interrupt)
    processes = Processes()
    try:
        return soak(settings, processes)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping everything this run started", flush=True)
        return 130
    finally:
        processes.stop_all()
        with contextlib.suppress(Exception):
            clear_redis_keys(settings.redis_url)
