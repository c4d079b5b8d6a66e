"""Hearth's side of the page benchmark: build the data through Hearth's own actions, then
time each hot page with Django's test client, in-process, DEBUG off, against a minimal
view served by the same process and middleware.

Run by ``python -m bench.pages`` in a subprocess of its own (it configures Django for a
scratch SQLite database in a temporary folder and must not share a process with another
settings module). Prints one JSON object on stdout; progress goes to stderr.

    python -m bench.pages.hearth_side [--requests N] [--warmup N] [--profile PAGE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402  (bench/pages/data.py, shared with the machina driver)
from timing import measure_many  # noqa: E402  (bench/pages/timing.py, the same on both sides)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def setup_django(folder: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "hearth.settings",
            "SQLITE_PATH": str(folder / "pages.sqlite3"),
            "MEDIA_ROOT": str(folder / "media"),
            "SECRET_KEY": "bench-pages-only-secret-key-0123456789-abcdefghijklmnopqrstuv",
            "ALLOWED_HOSTS": "testserver",
            "DEBUG": "false",
            "HTTPS": "false",
            "LOG_LEVEL": "WARNING",
            "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    for name in ("DATABASE_URL", "REDIS_URL", "HEARTH_TESTING"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.pages.urls"
    # Fast password hashing for the bench's sign-ins; the pages do not hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build() -> dict[str, Any]:
    """Demo content, then the long topic through the forum's actions. Returns the paths."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    from community.chat.models import Room
    from community.forum.actions import reply, start_topic
    from community.forum.models import Category
    from community.models import User
    from referrals.actions import get_or_create_link

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("load_demo", verbosity=0)
    log(f"  demo content in {time.perf_counter() - started:.0f} s")

    joined = timezone.now() - timedelta(days=60)
    members = []
    for index in range(data.MEMBERS):
        member = User.objects.create_user(
            data.member_name(index), f"{data.member_name(index)}@example.org", data.PASSWORD
        )
        member.date_joined = joined
        member.trust_level_granted = 1
        member.save(update_fields=["date_joined", "trust_level_granted"])
        members.append(member)
    reader = User.objects.create_user(data.READER, "reader@example.org", data.PASSWORD)
    reader.date_joined = joined
    reader.trust_level_granted = 1
    reader.save(update_fields=["date_joined", "trust_level_granted"])
    from allauth.account.models import EmailAddress

    EmailAddress.objects.bulk_create(
        EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in [*members, reader]
    )

    category = next(
        c for c in Category.objects.order_by("order", "pk") if c.may_start_topic(members[0])
    )
    started = time.perf_counter()
    topic = start_topic(
        category=category, author=members[0], title=data.TOPIC_TITLE, body=data.BODY
    )
    for number in range(2, data.POSTS + 1):
        cache.clear()  # the posting interval is per member; the bench posts back to back
        reply(topic=topic, author=members[(number - 1) % data.MEMBERS], body=data.BODY)
    log(f"  {data.POSTS} posts through the actions in {time.perf_counter() - started:.0f} s")

    from blog.models import BlogIndexPage, BlogPage, GuideIndexPage, GuidePage

    room = Room.objects.filter(archived=False).order_by("pk").first()
    link = get_or_create_link(owner=members[1])
    topic.refresh_from_db()
    paths = {
        "home": "/",
        "forum index": "/forum/",
        "category": category.get_absolute_url(),
        "topic p1": topic.page_url(1),
        f"topic p{data.PAGES[-1]}": topic.page_url(data.PAGES[-1]),
        "blog index": BlogIndexPage.objects.live().first().url,
        "blog post": BlogPage.objects.live().order_by("pk").first().url,
        "guide index": GuideIndexPage.objects.live().first().url,
        "guide page": GuidePage.objects.live().order_by("pk").first().url,
        "search": "/search/?q=sourdough",
        "profile": f"/members/{members[0].username}/",
        "chat room": room.get_absolute_url() if room else None,
        "referrals": "/referrals/",
        "leaderboard": "/leaderboard/",
        "referral redirect": link.get_absolute_url(),
    }
    return {k: v for k, v in paths.items() if v}


# Pages a visitor is measured on too (the rest are for members or the same for both).
VISITOR_PAGES = ("topic p1", f"topic p{data.PAGES[-1]}", "home", "referral redirect")
MEMBER_ONLY = ("referrals",)


RESULTS = HERE.parent / "results"


def _build_key() -> str:
    import hashlib

    root = HERE.parents[1]
    names = sorted(str(p.relative_to(root)) for p in root.glob("*/**/migrations/0*.py"))
    names.append((HERE / "data.py").read_text())
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


def cached_build(folder: Path) -> dict[str, str] | None:
    """Copy a saved data set into ``folder`` when it was built from the same migrations."""
    import shutil

    saved = RESULTS / f"pages-{_build_key()}"
    if not (saved / "paths.json").exists():
        return None
    shutil.copy(saved / "pages.sqlite3", folder / "pages.sqlite3")
    if (saved / "media").exists():
        shutil.copytree(saved / "media", folder / "media")
    return json.loads((saved / "paths.json").read_text())


def save_build(folder: Path, paths: dict[str, str]) -> None:
    import shutil

    from django.db import connection

    connection.close()
    saved = RESULTS / f"pages-{_build_key()}"
    shutil.rmtree(saved, ignore_errors=True)
    saved.mkdir(parents=True)
    shutil.copy(folder / "pages.sqlite3", saved / "pages.sqlite3")
    if (folder / "media").exists():
        shutil.copytree(folder / "media", saved / "media")
    (saved / "paths.json").write_text(json.dumps(paths))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=data.REQUESTS)
    parser.add_argument("--warmup", type=int, default=data.WARMUP)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--profile", default="", help="cProfile one page as the member")
    parser.add_argument("--queries", default="", help="print one page's SQL as the member")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the built data set in bench/results/ and reuse it while the migrations "
        "are the same (quicker re-runs while profiling)",
    )
    parser.add_argument("--fresh", action="store_true", help="with --reuse: build anew first")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hearth-bench-pages-") as tmp:
        folder = Path(tmp)
        cached = cached_build(folder) if args.reuse and not args.fresh else None
        setup_django(folder)
        if cached is None:
            log("Building Hearth's data set (migrate, demo, the long topic)...")
            paths = build()
            if args.reuse:
                save_build(folder, paths)
        else:
            log("Reusing the data set built earlier (--reuse)...")
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
            call_command("collectstatic", verbosity=0, interactive=False)
            paths = cached
        from django.test import Client

        from community.models import User

        visitor = Client()
        member = Client()
        member.force_login(User.objects.get(username=data.READER))
        wanted = set(filter(None, args.only.split(","))) or set(paths)
        if args.profile:
            profile(member, paths[args.profile])
            return
        if args.queries:
            show_queries(member, paths[args.queries])
            return
        pages: dict[str, Any] = {}
        runs = [("minimal", "/bench/minimal/", "visitor"), ("minimal", "/bench/minimal/", "member")]
        for name, path in paths.items():
            if name not in wanted:
                continue
            if name not in MEMBER_ONLY:
                runs.append((name, path, "visitor"))
            runs.append((name, path, "member"))
        timed = measure_many(
            [
                (
                    f"{name} {who}",
                    member if who == "member" else visitor,
                    path,
                    302 if path.startswith("/r/") else 200,
                )
                for name, path, who in runs
            ],
            requests=args.requests,
            warmup=args.warmup,
        )
        for name, path, who in runs:
            label = f"{name} {who}"
            pages[label] = timed[label][0] | {"path": path}
            log(f"  {label}: {pages[label]['median_ms']:.2f} ms, {pages[label]['queries']} q")
        import django

        print(json.dumps({"peer": "hearth", "django": django.get_version(), "pages": pages}))


def show_queries(client: Any, path: str) -> None:
    """The SQL of one request as the member (after two to warm the caches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    for number, query in enumerate(ctx.captured_queries, 1):
        log(f"{number:>3}. {query['sql'][:400]}")


def profile(client: Any, path: str) -> None:
    import cProfile
    import pstats

    for _ in range(10):
        client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(30):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
