"""Referral hub benchmark: `make bench-referrals` (or `python -m bench.referrals`).

On its own PostgreSQL database (default postgres://postgres@127.0.0.1:5432/hearth_bench,
made if missing; BENCH_DATABASE_URL to choose another) it generates 50,000 members and
1,000,000 visits once (`manage.py generate_referral_data`), then measures, in one run:

- the leaderboard page (this month, all time, signed in and not): queries and time,
  against a baseline that ranks straight from the referrals table (no summary table);
- the /r/<code>/ redirect: queries and time per request;
- `award_top_recommenders` for last month: a fresh run and the idempotent re-run;
- the editors' dashboard figures for this month.

Options: --members N --visits N (smaller sets for a quick look), --fresh (drop and
regenerate the database), --repeat N (timed repetitions, median reported).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hearth_bench"


def _prepare_database(url: str, fresh: bool) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    # Bench settings: test-style static files and hosts, no HTTPS redirect, no Redis.
    os.environ["HEARTH_TESTING"] = "true"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def _timed(fn, repeat: int) -> str:
    """Median milliseconds over ``repeat`` runs, with the fastest run alongside."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return f"{statistics.median(samples):.1f} ms (min {min(samples):.1f})"


def _queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _baseline_leaderboard(period_start, period_end, member_id: int):
    """What the page would cost without the summary table: rank from the referrals."""
    from django.db import connection

    sql = """
        WITH counts AS (
            SELECT r.referrer_id AS member_id, COUNT(*) AS converted
            FROM referrals_referral r
            JOIN community_user u ON u.id = r.referrer_id
            WHERE r.stage = 3 AND r.status = 'counting'
              AND r.converted_at >= %s AND r.converted_at < %s
              AND u.is_active AND (u.suspended_until IS NULL OR u.suspended_until <= now())
            GROUP BY r.referrer_id
        ), ranked AS (
            SELECT member_id, converted, DENSE_RANK() OVER (ORDER BY converted DESC) AS rank
            FROM counts
        )
        SELECT (SELECT array_agg(member_id) FROM (
                    SELECT member_id FROM ranked ORDER BY converted DESC, member_id LIMIT 50
                ) top),
               (SELECT rank FROM ranked WHERE member_id = %s),
               (SELECT COUNT(*) FROM ranked)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [period_start, period_end, member_id])
        return cursor.fetchone()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.referrals", description=__doc__)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("The referral benchmark needs PostgreSQL (BENCH_DATABASE_URL).", file=sys.stderr)
        return 2
    try:
        _prepare_database(url, args.fresh)
    except Exception as exc:  # no server: say so plainly
        print(f"PostgreSQL at {url} is not reachable: {exc}", file=sys.stderr)
        return 2
    _setup_django(url)

    from django.core.management import call_command
    from django.test import Client

    from community.models import User
    from referrals import dashboard, leaderboard
    from referrals.models import Award, AwardRun, ReferralLink, ReferralScore, ThankYouTask
    from referrals.periods import month_of

    call_command("migrate", verbosity=0, interactive=False)
    if not User.objects.filter(username__startswith="bench").exists():
        print(f"Generating {args.members:,} members and {args.visits:,} visits…")
        started = time.perf_counter()
        call_command("generate_referral_data", members=args.members, visits=args.visits)
        print(f"Generated in {time.perf_counter() - started:.1f} s.")
    members = User.objects.filter(username__startswith="bench").count()
    from referrals.models import Referral, Visit

    visits = Visit.objects.count()
    referrals = Referral.objects.count()
    month = month_of()
    scored = ReferralScore.objects.filter(period=month.key, converted__gt=0).count()
    print(
        f"Data: {members:,} members, {visits:,} visits, {referrals:,} referrals, "
        f"{scored:,} members with conversions this month."
    )

    rows: list[tuple[str, str, str]] = []

    # --- leaderboard ---------------------------------------------------------------
    middle = (
        ReferralScore.objects.filter(period=month.key, converted__gt=0)
        .order_by("-converted", "member_id")
        .values_list("member_id", flat=True)[scored // 2 : scored // 2 + 1]
    )
    viewer = User.objects.get(pk=list(middle)[0]) if scored else User.objects.first()
    signed_in = Client()
    signed_in.force_login(viewer)
    anonymous = Client()
    for label, client, query in [
        ("leaderboard, this month, signed in", signed_in, {}),
        ("leaderboard, all time, signed in", signed_in, {"period": "all"}),
        ("leaderboard, this month, visitor", anonymous, {}),
    ]:
        response = client.get("/leaderboard/", query)
        assert response.status_code == 200, response.status_code
        count = _queries(lambda c=client, q=query: c.get("/leaderboard/", q))
        timing = _timed(lambda c=client, q=query: c.get("/leaderboard/", q), args.repeat)
        rows.append((label, f"{count} queries", timing))
    standing = leaderboard.standing(month.key, viewer)
    rows.append(
        (
            "  (the viewer's standing)",
            f"#{standing.rank} of {standing.of:,}",
            f"{standing.to_pass or 0} to pass",
        )
    )
    timing = _timed(lambda: leaderboard.board(month.key), args.repeat)
    rows.append(("board (top 50) from the summary table", "1 query", timing))
    timing = _timed(lambda: leaderboard.standing(month.key, viewer), args.repeat)
    rows.append(("my rank from the summary table", "2 queries", timing))
    timing = _timed(lambda: _baseline_leaderboard(month.start, month.end, viewer.pk), args.repeat)
    rows.append(("baseline: board + rank from referrals", "1 query", timing))

    # --- redirect ------------------------------------------------------------------
    code = ReferralLink.objects.filter(target_path="").values_list("code", flat=True).first()
    browser = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"}
    Client(**browser).get(f"/r/{code}/")  # warm the link cache
    count = _queries(lambda: Client(**browser).get(f"/r/{code}/"))
    timing = _timed(lambda: Client(**browser).get(f"/r/{code}/"), max(args.repeat * 20, 100))
    rows.append(("/r/<code>/ redirect (new browser)", f"{count} query (INSERT)", timing))

    # --- award command -------------------------------------------------------------
    last = month.previous()
    ThankYouTask.objects.filter(kind="award", period=last.key).delete()
    Award.objects.filter(period=last.key).delete()
    AwardRun.objects.filter(period=last.key).delete()
    command = ["award_top_recommenders", "--period", last.key]
    started = time.perf_counter()
    call_command(*command, stdout=io.StringIO())
    fresh_ms = (time.perf_counter() - started) * 1000
    winners = Award.objects.filter(period=last.key).count()
    started = time.perf_counter()
    again = io.StringIO()
    call_command(*command, stdout=again)
    again_ms = (time.perf_counter() - started) * 1000
    assert "already awarded" in again.getvalue()
    assert Award.objects.filter(period=last.key).count() == winners
    rows.append(
        (f"manage.py award_top_recommenders {last.key}", f"{winners} winners", f"{fresh_ms:.0f} ms")
    )
    rows.append(("the same command again (no-op)", "0 changes", f"{again_ms:.0f} ms"))

    # --- dashboard -----------------------------------------------------------------
    timing = _timed(lambda: dashboard.report(month), 3)
    rows.append(("editors' dashboard figures, this month", "", timing))

    width = max(len(r[0]) for r in rows)
    print()
    print(f"| {'measure':<{width}} | {'cost':<20} | {'median (fastest)':>24} |")
    print(f"|{'-' * (width + 2)}|{'-' * 22}|{'-' * 26}|")
    for label, cost, timing in rows:
        print(f"| {label:<{width}} | {cost:<20} | {timing:>24} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
