"""How both sides of the page benchmark time a page, so the comparison is like for like.
Plain Python plus Django's test utilities (imported when used): Hearth's driver and
django-machina's, each in its own virtualenv, import this same file."""

from __future__ import annotations

import statistics
import time
from typing import Any


def measure(
    client: Any, path: str, *, requests: int, warmup: int, expected: int = 200
) -> tuple[dict[str, Any], Any]:
    """``warmup`` untimed requests, the queries of one, then ``requests`` timed ones.
    Returns the figures (median and p90 in ms, queries, bytes) and the last response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    for _ in range(warmup):
        response = client.get(path)
    if response.status_code != expected:
        raise SystemExit(f"{path} answered {response.status_code}, expected {expected}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    # Count now: every later request clears the connection's query log, which
    # captured_queries reads lazily.
    queries = len(captured.captured_queries)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    figures = {
        "median_ms": round(statistics.median(samples), 3),
        "p90_ms": round(samples[max(int(len(samples) * 0.9) - 1, 0)], 3),
        "queries": queries,
        "requests": requests,
        "bytes": len(response.content),
        "status": response.status_code,
    }
    return figures, response
