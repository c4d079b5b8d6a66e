"""Page benchmark: `make bench-pages` (or `python -m bench.pages`).

Builds the same data set on both sides (bench/pages/data.py: 50 members, a 1,000-post
topic with the same ~650-character Markdown body in every post, 20 posts a page) —
Hearth through its own actions plus its demo content, django-machina 1.3.1 in its own
virtualenv (bench/pages/machina/, never Hearth's) — then times every hot page with
Django's test client, in-process, DEBUG off, SQLite, the median of --requests requests
after --warmup untimed ones, as a visitor and as a signed-in member, next to a minimal
view served by the same process and middleware. The sides run alternately (--rounds)
and each page keeps its best median, so a busy moment on the machine does not decide.

It prints one table: each page's median, its queries, its ratio to the minimal view
(for the same kind of reader), machina's figure where machina has the page, and whether
the targets hold:

- the topic page (page 1 and page 50): at least 3x faster than machina's, at most 10x
  the minimal view;
- every other hot page: at most 10x the minimal view; the referral redirect at most 3x.

    python -m bench.pages [--requests 200] [--warmup 20] [--rounds 2] [--reuse]
    python -m bench.pages.hearth_side --reuse --profile "topic p1"     # cProfile one page
    python -m bench.pages --http | --http-only [--fresh]   # also/only over HTTP (http_run.py)

--reuse keeps Hearth's built data set in bench/results/ (quicker re-runs). Results are
written to bench/results/pages.json (not committed); the last table is in
bench/pages/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.pages import data, http_run
from bench.pages.machina import ensure_venv
from bench.pages.machina import measure as measure_machina

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
TOPIC_PAGES = {f"topic p{n}" for n in data.PAGES}
MACHINA_FACTOR = 3.0  # Hearth's topic page at least this many times faster
MINIMAL_FACTOR = 10.0  # every hot page at most this many minimal views
REDIRECT_FACTOR = 3.0


def measure_hearth(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.pages.hearth_side", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each page's run with the lowest median over the rounds."""
    pages: dict[str, dict[str, Any]] = {}
    for run in runs:
        for name, figures in run["pages"].items():
            if name not in pages or figures["median_ms"] < pages[name]["median_ms"]:
                pages[name] = figures
    return pages


def rows(hearth: dict[str, dict], machina: dict[str, dict]) -> list[dict[str, Any]]:
    out = []
    for label, figures in hearth.items():
        if label.startswith("minimal "):
            continue
        name, who = label.rsplit(" ", 1)
        minimal = hearth[f"minimal {who}"]["median_ms"]
        ratio = figures["median_ms"] / minimal
        row: dict[str, Any] = {
            "page": name,
            "who": who,
            "ms": figures["median_ms"],
            "queries": figures["queries"],
            "x_minimal": ratio,
        }
        limit = REDIRECT_FACTOR if name == "referral redirect" else MINIMAL_FACTOR
        checks = [ratio <= limit]
        row["target"] = f"≤ {limit:g}× minimal"
        peer = machina.get(label)
        if name in TOPIC_PAGES and peer:
            row["machina_ms"] = peer["median_ms"]
            row["machina_queries"] = peer["queries"]
            row["faster"] = peer["median_ms"] / figures["median_ms"]
            row["target"] += f", ≥ {MACHINA_FACTOR:g}× machina"
            checks.append(row["faster"] >= MACHINA_FACTOR)
        row["met"] = all(checks)
        out.append(row)
    return out


def table(result: dict[str, Any]) -> str:
    hearth, machina = result["hearth"], result["machina"]
    lines = [
        f"requests per page: {result['requests']} (median of the best of {result['rounds']} "
        f"rounds)   Hearth on Django {result['hearth_django']}, django-machina "
        f"{result['machina_version']} on Django {result['machina_django']}",
        "",
        "| reader | minimal view: Hearth | minimal view: machina |",
        "|---|---:|---:|",
    ]
    for who in ("visitor", "member"):
        ours = hearth[f"minimal {who}"]
        theirs = machina.get(f"minimal {who}") or machina.get("minimal", {})
        lines.append(
            f"| {who} | {ours['median_ms']:.2f} ms, {ours['queries']} q | "
            f"{theirs.get('median_ms', 0):.2f} ms, {theirs.get('queries', 0)} q |"
        )
    lines += [
        "",
        "| page | reader | Hearth ms | queries | × minimal | machina ms | machina q "
        "| Hearth faster | target | met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['page']} | {row['who']} | {row['ms']:.2f} | {row['queries']} "
            f"| {row['x_minimal']:.1f}× "
            f"| {row['machina_ms']:.2f} | {row['machina_queries']} | {row['faster']:.1f}× "
            if "machina_ms" in row
            else f"| {row['page']} | {row['who']} | {row['ms']:.2f} | {row['queries']} "
            f"| {row['x_minimal']:.1f}× | – | – | – "
        )
        lines[-1] += f"| {row['target']} | {'yes' if row['met'] else '**no**'} |"
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=data.REQUESTS)
    parser.add_argument("--warmup", type=int, default=data.WARMUP)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="reuse Hearth's built data set")
    parser.add_argument(
        "--http", action="store_true", help="then the HTTP run (uvicorn, PostgreSQL, locust)"
    )
    parser.add_argument("--http-only", action="store_true", help="only the HTTP run")
    http_run.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.http_only:
        return run_http(args)

    timing = ["--requests", str(args.requests), "--warmup", str(args.warmup)]
    ensure_venv()
    hearth_runs, machina_runs = [], []
    for round_number in range(1, args.rounds + 1):
        print(f"Round {round_number}: Hearth ...", file=sys.stderr, flush=True)
        # Round 1 builds the data set (unless --reuse), later rounds read the same one.
        fresh = [] if args.reuse or round_number > 1 else ["--fresh"]
        hearth_runs.append(measure_hearth([*timing, "--reuse", *fresh]))
        print(f"Round {round_number}: django-machina ...", file=sys.stderr, flush=True)
        machina_runs.append(measure_machina(timing))
    hearth, machina = best(hearth_runs), best(machina_runs)
    result = {
        "requests": args.requests,
        "rounds": args.rounds,
        "hearth_django": hearth_runs[0]["django"],
        "machina_version": machina_runs[0]["version"],
        "machina_django": machina_runs[0]["django"],
        "hearth": hearth,
        "machina": machina,
        "rows": rows(hearth, machina),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pages.json").write_text(json.dumps(result, indent=2))
    print(table(result))
    status = 0 if all(row["met"] for row in result["rows"]) else 1
    if args.http:
        print()
        status = max(status, run_http(args))
    return status


def run_http(args: argparse.Namespace) -> int:
    """bench/pages/http_run.py: every page under uvicorn on PostgreSQL, with locust."""
    return http_run.run(users=args.http_users, seconds=args.http_seconds, fresh=args.fresh)


if __name__ == "__main__":
    sys.exit(main())
