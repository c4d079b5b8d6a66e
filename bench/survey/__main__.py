"""Recommend survey benchmark: `make bench-survey` (or `python -m bench.survey`).

On its own PostgreSQL database (default postgres://postgres@127.0.0.1:5432/hearth_bench_survey,
made if missing; BENCH_DATABASE_URL to choose another) it generates, once, 50,000
members and 200,000 survey answers with their prompts, survey emails and visit days
(``bulk_create``), then measures in one run, each through the whole Django stack:

- the baseline: a minimal staff view in the same admin frame (same permission check,
  same base template, no survey work);
- the NPS dashboard: the default page (last 12 months), a picked segment with a reason
  search, all time, and the CSV;
- the segment figures alone (every segment side by side, one query), each segment's
  member count, and the old way of computing the months (every answer loaded into
  Python) for comparison.

Options: --members N --answers N (smaller sets for a quick look), --fresh (drop and
regenerate), --repeat N (timed repetitions, median reported).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hearth_bench_survey"
WORDS = (
    "friendly",
    "people",
    "search",
    "slow",
    "fast",
    "helpful",
    "recipes",
    "answers",
    "chat",
    "noisy",
    "kind",
    "welcoming",
    "ads",
    "confusing",
    "mobile",
    "quick",
    "guides",
    "moderators",
    "rules",
    "notifications",
    "email",
)


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
    os.environ["HEARTH_TESTING"] = "true"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.survey.urls"


def _timed(fn, repeat: int) -> tuple[float, str]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    median = statistics.median(samples)
    return median, f"{median:.1f} ms (min {min(samples):.1f})"


def _queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _generate(members: int, answers: int) -> None:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from community.models import EDITORS_GROUP, MemberDay, User
    from survey.models import Prompt, SurveyAnswer, SurveyEmail

    rng = random.Random(12)
    now = timezone.now()
    batch = 5_000
    User.objects.bulk_create(
        (
            User(
                username=f"bench{n}",
                email=f"bench{n}@example.org",
                password="!",
                date_joined=now - timedelta(days=rng.randint(1, 3 * 365)),
            )
            for n in range(members)
        ),
        batch_size=batch,
    )
    ids = list(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
    editor = User.objects.create_user("benchmark_editor", "editor@example.org", "x" * 12)
    editor.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    # A third visited in the last 30 days (active), some earlier, the rest never (dormant).
    today = timezone.localdate(now)
    MemberDay.objects.bulk_create(
        (
            MemberDay(
                member_id=pk, day=today - timedelta(days=rng.randint(0, 29 if i % 3 else 200))
            )
            for i, pk in enumerate(ids)
            if i % 5
        ),
        batch_size=batch,
        ignore_conflicts=True,
    )
    # Scores skewed to the top, as real NPS data is; answers over two years.
    weights = [3, 1, 1, 2, 2, 3, 5, 9, 14, 20, 25]
    rows = []
    for _ in range(answers):
        when = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        reason = " ".join(rng.choices(WORDS, k=rng.randint(3, 12))) if rng.random() < 0.3 else ""
        score = rng.choices(range(11), weights)[0]
        rows.append(
            SurveyAnswer(member_id=rng.choice(ids), score=score, reason=reason, created_at=when)
        )
    SurveyAnswer.objects.bulk_create(rows, batch_size=batch)
    Prompt.objects.bulk_create(
        (
            Prompt(
                member_id=a.member_id, kind="survey", outcome="answered", created_at=a.created_at
            )
            for a in rows
        ),
        batch_size=batch,
    )
    # Asks that were not answered: set-asides and emails never answered (about 40 %).
    unanswered = []
    for _ in range(answers * 2 // 3):
        when = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        outcome = "sent" if rng.random() < 0.6 else "dismissed"
        unanswered.append(
            Prompt(member_id=rng.choice(ids), kind="survey", outcome=outcome, created_at=when)
        )
    Prompt.objects.bulk_create(unanswered, batch_size=batch)
    SurveyEmail.objects.bulk_create(
        (
            SurveyEmail(member_id=p.member_id, prompt_id=p.pk, sent_at=p.created_at)
            for p in unanswered
            if p.outcome == "sent"
        ),
        batch_size=batch,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.survey", description=__doc__)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--answers", type=int, default=200_000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("The survey benchmark needs PostgreSQL (BENCH_DATABASE_URL).", file=sys.stderr)
        return 2
    try:
        _prepare_database(url, args.fresh)
    except Exception as exc:
        print(f"PostgreSQL at {url} is not reachable: {exc}", file=sys.stderr)
        return 2
    _setup_django(url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from community import segments
    from community.models import User
    from survey import dashboard
    from survey.models import Prompt, SurveyAnswer

    call_command("migrate", verbosity=0, interactive=False)
    if not User.objects.filter(username__startswith="bench").exists():
        print(f"Generating {args.members:,} members and {args.answers:,} answers…")
        started = time.perf_counter()
        _generate(args.members, args.answers)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"Generated in {time.perf_counter() - started:.1f} s.")
    members = User.objects.filter(username__startswith="bench").count()
    print(
        f"Data: {members:,} members, {SurveyAnswer.objects.count():,} answers, "
        f"{Prompt.objects.count():,} prompts, {len(segments.all_segments())} segments."
    )

    editor = User.objects.get(username="benchmark_editor")
    client = Client()
    client.force_login(editor)
    rows: list[tuple[str, str, str]] = []

    def page(label: str, path: str, baseline_ms: float | None = None) -> float:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        count = _queries(lambda: client.get(path))
        median, timing = _timed(lambda: client.get(path), args.repeat)
        extra = "" if baseline_ms is None else f" (+{median - baseline_ms:.0f} ms)"
        rows.append((label, f"{count} queries", timing + extra))
        return median

    base = page("baseline: minimal staff view, same admin frame", "/bench/minimal/")
    page("dashboard, last 12 months", "/admin/survey/", base)
    page(
        "dashboard, segment 'active' + reason search",
        "/admin/survey/?segment=active&q=SLOW&group=detractor",
        base,
    )
    page("dashboard, all time", "/admin/survey/?period=all", base)
    page("dashboard CSV, last 12 months", "/admin/survey/?format=csv", base)

    now = timezone.now()
    answers = dashboard.answers_since(dashboard.period_start("365", now))
    split = dashboard.table_segments()
    _, timing = _timed(lambda: dashboard.by_segment(answers, split, now=now), args.repeat)
    rows.append((f"segment figures, {len(split)} side by side", "1 query", timing))
    _, timing = _timed(lambda: dashboard.monthly_report(answers), args.repeat)
    rows.append(("months + total in SQL (GROUP BY month)", "1 query", timing))
    _, timing = _timed(
        lambda: dashboard.report(answers.values_list("created_at", "score")), args.repeat
    )
    rows.append(("old way: every answer into Python", "1 query", timing))
    for segment in split:
        found = segment.members(now).count()
        _, timing = _timed(lambda s=segment: s.members(now).count(), max(args.repeat // 3, 3))
        rows.append((f"  segment '{segment.key}': members", f"{found:,}", timing))

    width = max(len(r[0]) for r in rows)
    print()
    print(f"| {'measure':<{width}} | {'cost':<12} | {'median (fastest)':>34} |")
    print(f"|{'-' * (width + 2)}|{'-' * 14}|{'-' * 36}|")
    for label, cost, timing in rows:
        print(f"| {label:<{width}} | {cost:<12} | {timing:>34} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
