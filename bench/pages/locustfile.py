"""Locust users of the page benchmark's HTTP run (bench/pages/http_run.py): every user
requests the same page, back to back (no wait time), and the page changes on a shared
clock, so one locust run measures every page at the same fixed concurrency.

Started by ``python -m bench.pages --http`` with the soak's virtualenv (bench/soak/.venv):

    locust -f bench/pages/locustfile.py --headless -u 20 -r 20 --host http://127.0.0.1:PORT

It reads the plan the orchestrator wrote (``PAGES_HTTP_PLAN``): the steps (page, reader,
path, expected status), the wall-clock second step 0 starts (``t0``), the seconds each
step lasts (``step``), of which the first ``warmup`` are not measured, the reader's
session key and where to write the figures. Step ``i`` runs from ``t0 + i * step``; a
request belongs to the step it started in. On exit it writes, per step, the measured
requests, their p50 and p99 and every failure (warm-up included).

A visitor sends no cookie at all; the member sends only the reader's session cookie (the
cookie jar is emptied before every request). Redirects are not followed. A request fails
when its status is not the expected one, or when a member's page shows no sign-out form.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import defaultdict
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, task

PLAN = json.loads(Path(os.environ["PAGES_HTTP_PLAN"]).read_text())
STEPS: list[dict] = PLAN["steps"]
COOKIE = f"sessionid={PLAN['session']}"

durations: dict[int, list[float]] = defaultdict(list)  # measured ms, per step
failures: dict[int, list[str]] = defaultdict(list)


def _problem(step: dict, response) -> str:
    if response.status_code != step["expect"]:
        error = getattr(response, "error", None) or ""
        return f"HTTP {response.status_code} (expected {step['expect']}) {error}".strip()
    if step["signed_in"] and b"/accounts/logout/" not in (response.content or b""):
        return "not signed in (no sign-out form on the page)"
    return ""


class Reader(FastHttpUser):
    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0

    @task
    def read(self) -> None:
        offset = time.time() - PLAN["t0"]
        if offset < 0:
            gevent.sleep(-offset)
            return
        index = int(offset // PLAN["step"])
        if index >= len(STEPS):  # done: wait for --run-time to end the run
            gevent.sleep(1)
            return
        step = STEPS[index]
        measured = offset - index * PLAN["step"] >= PLAN["warmup"]
        self.client.cookiejar.clear()
        headers = {"Cookie": COOKIE} if step["reader"] == "member" else None
        started = time.perf_counter()
        request = self.client.get(
            step["path"],
            name=f"{step['page']} {step['reader']}",
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        )
        elapsed = (time.perf_counter() - started) * 1000
        with request as response:
            problem = _problem(step, response)
            if problem:
                response.failure(problem)
                failures[index].append(problem)
            else:
                response.success()
        if measured:
            durations[index].append(elapsed)


def _percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


@events.quitting.add_listener
def _write(environment, **kwargs) -> None:
    figures = []
    for index, step in enumerate(STEPS):
        ordered = sorted(durations.get(index, []))
        figures.append(
            {
                **step,
                "requests": len(ordered),
                "p50_ms": _percentile(ordered, 0.50),
                "p99_ms": _percentile(ordered, 0.99),
                "errors": len(failures.get(index, [])),
                "error_samples": sorted(set(failures.get(index, [])))[:3],
            }
        )
    Path(PLAN["out"]).write_text(json.dumps(figures, indent=1))
