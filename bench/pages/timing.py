"""How both sides of the page benchmark time a page, so the comparison is like for like.
Plain Python plus Django's test utilities (imported when used): Hearth's driver and
django-machina's, each in its own virtualenv, import this same file."""

from __future__ import annotations

import statistics
import time
from typing import Any


def measure_many(
    runs: list[tuple[str, Any, str, int]], *, requests: int, warmup: int
) -> dict[str, tuple[dict[str, Any], Any]]:
    """Time each run (label, client, path, expected status): ``warmup`` untimed requests
    and the queries of one, then ``requests`` timed ones, interleaved: the timed requests
    go round the runs in turn, so a busy moment of the machine falls on every page alike
    instead of on whichever page was being measured then. Returns each label's figures
    (median and p90 in ms, queries, bytes) and its last response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prepared: dict[str, dict[str, Any]] = {}
    for label, client, path, expected in runs:
        response = client.get(path)
        for _ in range(warmup):
            response = client.get(path)
        if response.status_code != expected:
            raise SystemExit(f"{path} answered {response.status_code}, expected {expected}")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        prepared[label] = {
            "queries": len(captured.captured_queries),
            "response": response,
            "samples": [],
        }
    for _ in range(requests):
        for label, client, path, _expected in runs:
            started = time.perf_counter()
            client.get(path)
            prepared[label]["samples"].append((time.perf_counter() - started) * 1000)
    results = {}
    for label, _client, _path, _expected in runs:
        done = prepared[label]
        samples = sorted(done["samples"])
        response = done["response"]
        figures = {
            "median_ms": round(statistics.median(samples), 3),
            "p90_ms": round(samples[max(int(len(samples) * 0.9) - 1, 0)], 3),
            "queries": done["queries"],
            "requests": requests,
            "bytes": len(response.content),
            "status": response.status_code,
        }
        results[label] = (figures, response)
    return results
