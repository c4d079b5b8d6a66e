"""HTTP run of the page benchmark: each hot page under uvicorn (the Procfile's web line,
2 workers) on PostgreSQL and Redis, at a fixed concurrency, with locust headless.

    python -m bench.pages --http-only [--http-users 20] [--http-seconds 10] [--fresh]
    python -m bench.pages --http          # after the in-process table

Reuses the soak's machinery (bench/soak/run.py) rather than copying it:

1. Its own scratch PostgreSQL database (hearth_bench_pages, made and marked by the soak's
   ``prepare_database``; ``--fresh`` drops it first) and Redis keys of its own prefix.
2. The data set of the in-process run (``hearth_side.build()``: demo content and a
   1,000-post topic through Hearth's actions; a few minutes), built once and reused; its
   page paths are kept in bench/results/pages-http/paths.json.
3. ``uvicorn bench.pages.asgi:application`` with the Procfile's web flags and 2 workers,
   DEBUG off, after collectstatic (bench/pages/asgi.py adds /bench/minimal/).
4. One locust run (bench/pages/locustfile.py, the soak's bench/soak/.venv): N users, no
   wait, all spawned at once; each page and reader for a fixed step (warm-up first).
5. One markdown table: requests/s, p50, p99, errors and requests/s relative to the
   minimal view for the same reader. Everything it started is stopped on exit or Ctrl-C.

The module is not named http.py: hearth_side.py and the machina driver put bench/pages/
first on sys.path, where an http.py would shadow the standard library's http package.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.pages import data
from bench.soak import report
from bench.soak.run import (
    Processes,
    Settings,
    clear_redis_keys,
    describe_versions,
    ensure_soak_venv,
    free_port,
    prepare_database,
    procfile_command,
    raise_interrupt,
    run_step,
    server_environment,
    wait_healthy,
)

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "bench" / "pages"
OUT = ROOT / "bench" / "results" / "pages-http"  # paths.json, media/, logs/ (git-ignored)
PATHS = OUT / "paths.json"  # the built data set's pages; written last, so it marks a build
RESULT = ROOT / "bench" / "results" / "pages-http.json"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hearth_bench_pages"
REDIS_URL = "redis://127.0.0.1:6379/0"
KEY_PREFIX = "hearth_bench_pages_"  # this run's Redis keys: cache and channel layer
DB_MARK = "Scratch database of Hearth's page benchmark (bench/pages); safe to drop."
APP = "bench.pages.asgi:application"
WORKERS = 2
USERS = 20
SECONDS = 10  # measured per page and reader, after WARMUP
WARMUP = 2

# In the order measured, minimal view first; (page, who may read it).
PAGES = (
    "minimal",
    "topic p1",
    f"topic p{data.PAGES[-1]}",
    "forum index",
    "category",
    "home",
    "blog index",
    "blog post",
    "guide index",
    "guide page",
    "search",
    "profile",
    "chat room",
    "referrals",
    "leaderboard",
    "referral redirect",
)
MEMBER_ONLY = ("referrals",)
READERS = ("visitor", "member")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("HTTP run (uvicorn, PostgreSQL, locust)")
    group.add_argument("--http-users", type=int, default=USERS, help="concurrent users")
    group.add_argument(
        "--http-seconds", type=int, default=SECONDS, help="measured seconds per page and reader"
    )
    group.add_argument(
        "--fresh", action="store_true", help="drop and rebuild the HTTP run's database first"
    )


# --- steps run in a subprocess, with the server's environment ------------------------------


def _build() -> None:
    """hearth_side.build() against the scratch database; writes the paths last."""
    import django

    django.setup()
    from bench.pages.hearth_side import build

    paths = {"minimal": "/bench/minimal/", **build()}
    PATHS.write_text(json.dumps(paths, indent=1))
    print(f"  {len(paths)} pages", flush=True)


def _session() -> None:
    """A session for the reader (only valid under the server's SECRET_KEY); prints its key."""
    from importlib import import_module

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from community.models import User

    reader = User.objects.filter(username=data.READER).first()
    if reader is None:
        raise SystemExit(3)  # the database lacks the data set: rebuild it
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(reader.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    store.create()
    print(json.dumps({"session": store.session_key}))


# --- the run -------------------------------------------------------------------------------


def _prepare(settings: Settings, env: dict[str, str]) -> tuple[dict[str, str], str]:
    """The database with the data set (built when missing), collected static files, and a
    session for the reader. Returns the paths and the session key."""
    python = sys.executable
    settings.fresh = settings.fresh or not PATHS.exists()
    for attempt in range(2):
        prepare_database(settings, mark=DB_MARK, default_url=DATABASE_URL)
        if settings.fresh:
            PATHS.unlink(missing_ok=True)
            shutil.rmtree(OUT / "media", ignore_errors=True)
            print("  building the data set (migrate, demo content, the long topic)…", flush=True)
            # Without Redis: build() clears the cache between replies (a local-memory one).
            build_env = {k: v for k, v in env.items() if k != "REDIS_URL"}
            run_step([python, "-m", "bench.pages.http_run", "--step", "build"], build_env, "build")
        else:
            run_step([python, "manage.py", "migrate", "--noinput"], env, "migrate")
            run_step([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env, "static")
        done = subprocess.run(
            [python, "-m", "bench.pages.http_run", "--step", "session"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            session = json.loads(done.stdout.strip().splitlines()[-1])["session"]
            return json.loads(PATHS.read_text()), session
        if done.returncode != 3 or attempt:
            sys.stderr.write(done.stderr[-4000:])
            raise SystemExit("making the reader's session failed")
        print("  the database lacks the data set: rebuilding it", flush=True)
        settings.fresh = True
    raise AssertionError("unreachable")


def _steps(paths: dict[str, str]) -> list[dict[str, Any]]:
    steps = []
    for who in READERS:
        for page in PAGES:
            if page not in paths or (who == "visitor" and page in MEMBER_ONLY):
                continue
            redirect = page == "referral redirect"
            steps.append(
                {
                    "page": page,
                    "reader": who,
                    "path": paths[page],
                    "expect": 302 if redirect else 200,
                    # The sign-out form shows the member is signed in (not on the bare views).
                    "signed_in": who == "member" and page != "minimal" and not redirect,
                }
            )
    return steps


def _precheck(port: int, steps: list[dict[str, Any]], session: str) -> None:
    """One request per step before the load: the right status, the member signed in."""
    wrong = []
    for step in steps:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": f"sessionid={session}"} if step["reader"] == "member" else {}
        conn.request("GET", step["path"], headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != step["expect"]:
            wrong.append(f"{step['path']} ({step['reader']}): {response.status}")
        elif step["signed_in"] and b"/accounts/logout/" not in body:
            wrong.append(f"{step['path']} ({step['reader']}): not signed in")
    if wrong:
        raise SystemExit("pages not as expected before the load: " + "; ".join(wrong))


def table(result: dict[str, Any]) -> str:
    lines = [
        f"HTTP run: {result['users']} users, no wait, {result['seconds']} s per page and "
        f"reader after {result['warmup']} s of warm-up; `uvicorn --workers {WORKERS}` "
        f"(Procfile web line, {APP}) on 127.0.0.1, DEBUG off; {result['versions']}; "
        f"{result['cores']} cores shared with locust; load average {result['load'][0]} "
        f"before, {result['load'][1]} after; {result['date']}",
        "",
        "| page | reader | requests/s | p50 ms | p99 ms | errors | requests/s vs minimal |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    minimal = {row["reader"]: row["rps"] for row in result["rows"] if row["page"] == "minimal"}
    for row in result["rows"]:
        base = minimal.get(row["reader"]) or 0
        share = f"{row['rps'] / base:.2f}×" if base else "–"
        p50 = "–" if row["p50_ms"] is None else f"{row['p50_ms']:.1f}"
        p99 = "–" if row["p99_ms"] is None else f"{row['p99_ms']:.1f}"
        errors = str(row["errors"]) if not row["errors"] else f"**{row['errors']}**"
        lines.append(
            f"| {row['page']} | {row['reader']} | {row['rps']:.0f} | {p50} | {p99} "
            f"| {errors} | {share} |"
        )
    redirects = result.get("redirects")
    if redirects:
        lines += [
            "",
            f"Referral redirect at a fixed {redirects['rate']}/s, each request a new browser: "
            f"{redirects['sent']} sent (achieved {redirects['achieved_rate']}/s), "
            f"{redirects['redirected']} answered 302, {redirects['recorded']} visits recorded, "
            f"**{redirects['lost']} lost**; p50 {redirects['p50_ms']} ms, "
            f"p99 {redirects['p99_ms']} ms (sender lateness p99 {redirects['late_p99_ms']} ms).",
        ]
    for row in result["rows"]:
        for sample in row["error_samples"]:
            lines.append(f"\n- {row['page']} {row['reader']}: {sample}")
    for count, excerpt in result["server_errors"]:
        lines.append(f"\nServer error ({count}×):\n```\n{excerpt}\n```")
    return "\n".join(lines)


def _run_http(settings: Settings, processes: Processes, users: int, seconds: int) -> dict:
    locust = ensure_soak_venv()
    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("*.log"):
        old.unlink()
    settings.port = free_port()
    env = server_environment(settings)
    env.update(
        CACHE_KEY_PREFIX=f"{KEY_PREFIX}cache",
        CHANNEL_PREFIX=f"{KEY_PREFIX}chan",
        MEDIA_ROOT=str(OUT / "media"),
    )

    print(f"== HTTP run: database {settings.database}", flush=True)
    paths, session = _prepare(settings, env)
    clear_redis_keys(settings.redis_url, KEY_PREFIX)

    web_line = procfile_command("web")
    if "hearth.asgi:application" not in web_line:
        raise SystemExit(f"The Procfile's web line no longer serves hearth.asgi: {web_line}")
    web_line = web_line.replace("hearth.asgi:application", APP)
    python = sys.executable
    web = {**env, "HOST": "127.0.0.1", "PORT": str(settings.port), "WEB_WORKERS": str(WORKERS)}
    web["PATH"] = f"{Path(python).parent}{os.pathsep}{env.get('PATH', '')}"
    uvicorn = processes.start(
        "uvicorn", ["bash", "-c", f"exec {web_line}"], web, logs / "uvicorn.log"
    )
    wait_healthy(settings, [uvicorn])
    print(f"  {web_line} (port {settings.port}; logs in {logs.relative_to(ROOT)}/)", flush=True)
    steps = _steps(paths)
    _precheck(settings.port, steps, session)
    versions = describe_versions(settings)

    step_seconds = seconds + WARMUP
    total = len(steps) * step_seconds
    figures_file = OUT / "figures.json"
    figures_file.unlink(missing_ok=True)
    plan_file = OUT / "plan.json"
    start_in = 8  # locust's start-up and spawning, before the first step
    plan = {
        "steps": steps,
        "t0": time.time() + start_in,
        "step": step_seconds,
        "warmup": WARMUP,
        "session": session,
        "out": str(figures_file),
    }
    plan_file.write_text(json.dumps(plan, indent=1))
    print(
        f"== locust: {users} users, {len(steps)} steps of {WARMUP}+{seconds} s "
        f"(about {(total + start_in) / 60:.1f} min)",
        flush=True,
    )
    locust_cmd = [
        str(locust), "-f", str(HERE / "locustfile.py"), "--headless",
        "-u", str(users), "-r", str(users),
        "--run-time", f"{start_in + total + 2}s", "--stop-timeout", "5",
        "--host", settings.host, "--only-summary",
    ]  # fmt: skip
    locust_env = {**env, "PAGES_HTTP_PLAN": str(plan_file)}
    load_before = os.getloadavg()[0]
    runner = processes.start("locust", locust_cmd, locust_env, logs / "locust.log")
    began = time.monotonic()
    shown = -1
    while runner.poll() is None:
        time.sleep(1)
        index = int((time.time() - plan["t0"]) // step_seconds)
        if 0 <= index < len(steps) and index != shown:
            shown = index
            print(
                f"  [{index + 1}/{len(steps)}] {steps[index]['page']} {steps[index]['reader']}",
                flush=True,
            )
        if time.monotonic() - began > start_in + total + 90:
            print("  locust overran its run time: stopping it", flush=True)
            processes.stop(runner)
    load_after = os.getloadavg()[0]
    redirects = redirect_at_rate(settings, paths["referral redirect"])
    print("== stopping the server", flush=True)
    processes.stop_all()
    if not figures_file.exists():
        raise SystemExit(f"locust wrote no figures: see {logs / 'locust.log'}")
    rows = json.loads(figures_file.read_text())
    for row in rows:
        row["rps"] = row["requests"] / seconds
    return {
        "users": users,
        "seconds": seconds,
        "warmup": WARMUP,
        "versions": versions,
        "cores": os.cpu_count(),
        "load": [round(load_before, 1), round(load_after, 1)],
        "date": time.strftime("%d %b %Y %H:%M"),
        "rows": rows,
        "redirects": redirects,
        "server_errors": report.server_errors(sorted(logs.glob("*.err.log"))),
    }


REDIRECT_RATE = 200  # visits a second, each from a new browser (no cookie)
REDIRECT_SECONDS = 10
REDIRECT_SENDERS = 16


def redirect_at_rate(settings: Settings, path: str) -> dict[str, Any]:
    """Follow one referral link at a fixed rate, every request a new browser, and count
    the visits the database recorded: each must be there (0 lost)."""
    import statistics
    import threading
    from datetime import UTC, datetime

    import psycopg

    total = REDIRECT_RATE * REDIRECT_SECONDS
    print(f"== referral redirect: {REDIRECT_RATE}/s for {REDIRECT_SECONDS} s ({total})", flush=True)
    since = datetime.now(UTC)
    start = time.monotonic() + 0.5
    slots = iter(range(total))
    lock = threading.Lock()
    results: list[tuple[int, float, float]] = []  # status, latency ms, lateness ms

    def sender() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", settings.port, timeout=30)
        while True:
            with lock:
                slot = next(slots, None)
            if slot is None:
                break
            due = start + slot / REDIRECT_RATE
            time.sleep(max(0.0, due - time.monotonic()))
            sent = time.monotonic()
            try:
                connection.request("GET", path, headers={"User-Agent": "Mozilla/5.0 bench"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", settings.port, timeout=30)
                status = 0
            now = time.monotonic()
            results.append((status, (now - sent) * 1000, (sent - due) * 1000))
        connection.close()

    threads = [threading.Thread(target=sender) for _ in range(REDIRECT_SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(time.monotonic() - start, 1e-9)
    code = path.rstrip("/").rsplit("/", 1)[-1]
    with psycopg.connect(settings.database_url.replace("postgres://", "postgresql://", 1)) as db:
        recorded = db.execute(
            "SELECT count(*) FROM referrals_visit v JOIN referrals_referrallink l "
            "ON l.id = v.link_id WHERE l.code = %s AND v.created_at >= %s",
            [code, since],
        ).fetchone()[0]
    latencies = sorted(latency for _, latency, _ in results)
    redirected = sum(1 for status, _, _ in results if status == 302)
    figures = {
        "rate": REDIRECT_RATE,
        "sent": len(results),
        "redirected": redirected,
        "recorded": recorded,
        "lost": redirected - recorded,
        "achieved_rate": round(len(results) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
        "late_p99_ms": round(sorted(late for *_, late in results)[int(len(results) * 0.99) - 1], 1)
        if results
        else None,
    }
    print(
        f"  sent {figures['sent']} at {figures['achieved_rate']}/s: {redirected} redirected, "
        f"{recorded} visits recorded, {figures['lost']} lost; p99 {figures['p99_ms']} ms",
        flush=True,
    )
    return figures


def run(*, users: int = USERS, seconds: int = SECONDS, fresh: bool = False) -> int:
    """The HTTP run, end to end: prints its table, returns 0 when nothing failed."""
    if users < 1 or not 1 <= seconds <= 60:
        raise SystemExit("--http-users must be positive and --http-seconds 1..60 (bounded)")
    settings = Settings(
        minutes=0,
        users=users,
        workers=WORKERS,
        spawn_rate=users,
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        pool_max=10,
        fresh=fresh,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    previous = {sig: signal.signal(sig, raise_interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    processes = Processes()
    try:
        result = _run_http(settings, processes, users, seconds)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping everything the HTTP run started", flush=True)
        return 130
    finally:
        processes.stop_all()
        with contextlib.suppress(Exception):
            clear_redis_keys(settings.redis_url, KEY_PREFIX)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    RESULT.write_text(json.dumps(result, indent=1))
    print()
    print(table(result))
    redirects = result["redirects"]
    failed = (
        result["server_errors"]
        or any(row["errors"] for row in result["rows"])
        or redirects["lost"] != 0
        or redirects["redirected"] != redirects["sent"]
    )
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages.http_run", description=__doc__.split("\n\n")[0]
    )
    add_arguments(parser)
    parser.add_argument("--step", choices=["build", "session"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "build":
        _build()
        return 0
    if args.step == "session":
        _session()
        return 0
    return run(users=args.http_users, seconds=args.http_seconds, fresh=args.fresh)


if __name__ == "__main__":
    sys.exit(main())
