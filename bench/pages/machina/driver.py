"""django-machina's side of the page benchmark: the baseline Hearth's topic page is compared with.

Runs under django-machina's own virtualenv (bench/pages/machina/.venv, made by
``bench.pages.machina.ensure_venv()``), never under Hearth's. It configures a minimal standalone
Django project in code, following machina 1.3's documented install, on a fresh SQLite database in
a temporary folder; builds the same data as Hearth's side (bench/pages/data.py); then times the
topic page with Django's test client, in-process, DEBUG off, against a minimal view served by
the same process and middleware.

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python driver.py [--requests N] [--warmup N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# bench/pages, for data.py; taken off again at once, since its folder "machina" (this one)
# would otherwise shadow the django-machina package.
sys.path.insert(0, str(HERE.parent))
try:
    import data  # noqa: E402  (bench/pages/data.py, shared with Hearth's side)
    from timing import measure_many  # noqa: E402  (bench/pages/timing.py, the same on both sides)
finally:
    sys.path.remove(str(HERE.parent))

MINIMAL_PATH = "/minimal/"

# What a normal, signed-in member may do in a forum (no moderation): exactly the example that
# machina's settings docs give for MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS, granted
# here per forum to all authenticated users (UserForumPermission.authenticated_user).
MEMBER_PERMISSIONS = [
    "can_see_forum",
    "can_read_forum",
    "can_start_new_topics",
    "can_reply_to_topics",
    "can_edit_own_posts",
    "can_post_without_approval",
    "can_create_polls",
    "can_vote_in_polls",
    "can_download_file",
]
# Anonymous visitors (UserForumPermission.anonymous_user): read only.
VISITOR_PERMISSIONS = ["can_see_forum", "can_read_forum"]


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def configure(folder: Path) -> None:
    """Settings per machina 1.3's "Getting started", in code."""
    from django.conf import settings
    from machina import MACHINA_MAIN_STATIC_DIR, MACHINA_MAIN_TEMPLATE_DIR

    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["testserver"],
        SECRET_KEY="bench-pages-machina-only-secret-key-0123456789-abcdefghijklmnop",
        ROOT_URLCONF=__name__,
        SITE_ID=1,
        USE_TZ=True,
        TIME_ZONE="UTC",
        LANGUAGE_CODE="en-us",
        USE_I18N=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.sites",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "django.contrib.admin",
            # Machina dependencies:
            "mptt",
            "haystack",
            "widget_tweaks",
            # Machina apps:
            "machina",
            "machina.apps.forum",
            "machina.apps.forum_conversation",
            "machina.apps.forum_conversation.forum_attachments",
            "machina.apps.forum_conversation.forum_polls",
            "machina.apps.forum_feeds",
            "machina.apps.forum_moderation",
            "machina.apps.forum_search",
            "machina.apps.forum_tracking",
            "machina.apps.forum_member",
            "machina.apps.forum_permission",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            # Machina
            "machina.apps.forum_permission.middleware.ForumPermissionMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [MACHINA_MAIN_TEMPLATE_DIR],
                # No explicit "loaders": Django's default is the cached loader over the
                # filesystem and app-directories loaders the docs list, as in production.
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.debug",
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                        # Machina
                        "machina.core.context_processors.metadata",
                    ],
                },
            }
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(folder / "machina.sqlite3"),
            }
        },
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "machina_attachments": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(folder / "machina_attachments"),
            },
        },
        HAYSTACK_CONNECTIONS={
            "default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"},
        },
        STATIC_URL="/static/",
        STATICFILES_DIRS=[MACHINA_MAIN_STATIC_DIR],
        MEDIA_ROOT=str(folder / "media"),
        MEDIA_URL="/media/",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MACHINA_FORUM_NAME="Hearth bench",
        MACHINA_TOPIC_POSTS_NUMBER_PER_PAGE=data.PER_PAGE,
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": sys.stderr}},
            "root": {"handlers": ["stderr"], "level": "WARNING"},
        },
    )
    import django

    django.setup()


def install_urls() -> None:
    """This module is the ROOT_URLCONF: machina's URLs at /forum/ plus the minimal view."""
    from django.http import HttpResponse
    from django.urls import include, path
    from machina import urls as machina_urls

    def minimal(request: Any) -> HttpResponse:
        return HttpResponse("ok")

    globals()["urlpatterns"] = [
        path("forum/", include(machina_urls)),
        path(MINIMAL_PATH.strip("/") + "/", minimal),
    ]


def build() -> dict[str, str]:
    """Migrate, then the members, the forum, the long topic and the permissions."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.urls import reverse
    from machina.core.db.models import get_model

    Forum = get_model("forum", "Forum")
    Topic = get_model("forum_conversation", "Topic")
    Post = get_model("forum_conversation", "Post")
    ForumProfile = get_model("forum_member", "ForumProfile")
    ForumPermission = get_model("forum_permission", "ForumPermission")
    UserForumPermission = get_model("forum_permission", "UserForumPermission")
    User = get_user_model()

    call_command("migrate", verbosity=0, interactive=False)

    password = make_password(data.PASSWORD)
    names = [data.member_name(i) for i in range(data.MEMBERS)] + [data.READER]
    User.objects.bulk_create([User(username=name, password=password) for name in names])
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    members = [users[data.member_name(i)] for i in range(data.MEMBERS)]

    forum = Forum.objects.create(name=data.CATEGORY, type=Forum.FORUM_POST)
    topic = Topic.objects.create(
        forum=forum,
        poster=members[0],
        subject=data.TOPIC_TITLE,
        type=Topic.TOPIC_POST,
        status=Topic.TOPIC_UNLOCKED,
        approved=True,
    )

    # bulk_create sends no pre_save signal, so render the Markdown the way machina's
    # MarkupTextField does on save (same function, same options), once: every post has BODY.
    sample = Post(topic=topic, poster=members[0], subject=data.TOPIC_TITLE, content=data.BODY)
    Post._meta.get_field("content").render_data(None, Post, instance=sample)
    rendered = sample._content_rendered
    assert rendered and "<strong>detailed</strong>" in rendered, rendered

    reply_subject = f"Re: {data.TOPIC_TITLE}"  # machina's TOPIC_ANSWER_SUBJECT_PREFIX
    posts = [
        Post(
            topic=topic,
            poster=members[i % data.MEMBERS],
            subject=data.TOPIC_TITLE if i == 0 else reply_subject,
            content=data.BODY,
            _content_rendered=rendered,
            approved=True,
        )
        for i in range(data.POSTS)
    ]
    Post.objects.bulk_create(posts, batch_size=500)
    # created is auto_now_add: give the posts distinct, increasing times (one a minute, the
    # last one an hour ago) so machina's ordering by "created" is the posting order.
    posts = list(Post.objects.filter(topic=topic).order_by("pk"))
    start = datetime.now(UTC) - timedelta(minutes=data.POSTS + 60)
    for i, post in enumerate(posts):
        post.created = post.updated = start + timedelta(minutes=i)
    Post.objects.bulk_update(posts, ["created", "updated"], batch_size=500)

    # The denormalised counters machina keeps up to date on save: the members' post counts
    # (forum_member's pre_save receiver), then the topic's posts_count / first / last post,
    # which in turn update the forum's topics / posts counts and last post.
    per_member: dict[int, int] = {}
    for post in posts:
        per_member[post.poster_id] = per_member.get(post.poster_id, 0) + 1
    ForumProfile.objects.bulk_create(
        [ForumProfile(user=u, posts_count=per_member.get(u.pk, 0)) for u in users.values()]
    )
    topic.refresh_from_db()
    topic.update_trackers()
    forum.refresh_from_db()
    topic.refresh_from_db()
    assert topic.posts_count == data.POSTS, topic.posts_count
    assert topic.first_post_id == posts[0].pk and topic.last_post_id == posts[-1].pk
    assert forum.direct_posts_count == data.POSTS and forum.direct_topics_count == 1
    assert forum.last_post_id == posts[-1].pk

    # Read for everyone; a member's usual posting rights for signed-in members.
    perms = {p.codename: p for p in ForumPermission.objects.all()}
    missing = set(MEMBER_PERMISSIONS + VISITOR_PERMISSIONS) - set(perms)
    assert not missing, f"machina has no forum permission {missing}"
    UserForumPermission.objects.bulk_create(
        [
            UserForumPermission(
                forum=forum, permission=perms[c], anonymous_user=True, has_perm=True
            )
            for c in VISITOR_PERMISSIONS
        ]
        + [
            UserForumPermission(
                forum=forum, permission=perms[c], authenticated_user=True, has_perm=True
            )
            for c in MEMBER_PERMISSIONS
        ]
    )

    topic_url = reverse(
        "forum_conversation:topic",
        kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk, "slug": topic.slug, "pk": topic.pk},
    )
    # Page p must open with post (p - 1) * PER_PAGE of the topic (check_page looks for its id).
    FIRST_POST_ON_PAGE.update({p: posts[(p - 1) * data.PER_PAGE].pk for p in data.PAGES})
    return {f"topic p{p}": f"{topic_url}?page={p}" for p in data.PAGES}


FIRST_POST_ON_PAGE: dict[int, int] = {}


def check_page(label: str, html: str, *, member: bool) -> None:
    """Fail loudly unless the topic page really rendered the topic and its posts."""
    problems = []
    if data.TOPIC_TITLE not in html:
        problems.append("no topic title")
    first_words = " ".join(data.BODY.split()[:3])  # "Thanks for the"
    count = html.count(first_words)
    if count != data.PER_PAGE:
        problems.append(f"{count} posts with BODY's first words, expected {data.PER_PAGE}")
    page = int(label.split()[1].lstrip("p"))
    if f'<div id="{FIRST_POST_ON_PAGE[page]}" class="my-3 card post">' not in html:
        problems.append(
            f"post #{(page - 1) * data.PER_PAGE + 1} of the topic is not on page {page}"
        )
    if "feeding guide" not in html or "<code>1:5:5</code>" not in html:
        problems.append("BODY not rendered as Markdown")
    if member and "/post/create/" not in html:
        problems.append("no reply link for the signed-in member")
    if not member and "/post/create/" in html:
        problems.append("a reply link for the visitor")
    if problems:
        raise SystemExit(f"{label}: " + "; ".join(problems))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=data.REQUESTS)
    parser.add_argument("--warmup", type=int, default=data.WARMUP)
    args = parser.parse_args(argv)
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be >= 1 and --warmup >= 0")

    with tempfile.TemporaryDirectory(prefix="machina-bench-pages-") as tmp:
        configure(Path(tmp))
        install_urls()
        log("Building django-machina's data set (migrate, members, the long topic)...")
        started = time.perf_counter()
        paths = build()
        log(f"  built in {time.perf_counter() - started:.1f} s")

        from django.contrib.auth import get_user_model
        from django.test import Client

        visitor = Client()
        member = Client()
        if not member.login(username=data.READER, password=data.PASSWORD):
            raise SystemExit(f"{data.READER} could not sign in")

        runs = [("minimal", MINIMAL_PATH, None)]
        for name, path in paths.items():
            runs.append((name, path, "visitor"))
            runs.append((name, path, "member"))
        pages: dict[str, Any] = {}
        # The minimal view as the visitor (as on Hearth's side). Its one query is the session
        # read: machina's ForumPermissionMiddleware stores an anonymous forum key in every
        # visitor's session, so that read is part of machina's middleware cost.
        labels = [name if who is None else f"{name} {who}" for name, _path, who in runs]
        timed = measure_many(
            [
                (label, member if who == "member" else visitor, path, 200)
                for label, (_name, path, who) in zip(labels, runs, strict=True)
            ],
            requests=args.requests,
            warmup=args.warmup,
        )
        for label, (_name, path, who) in zip(labels, runs, strict=True):
            result, response = timed[label]
            html = response.content.decode()
            if who is None:
                if html != "ok":
                    raise SystemExit(f"minimal view answered {html[:80]!r}")
            else:
                check_page(label, html, member=who == "member")
            pages[label] = result | {"path": path}
            log(f"  {label}: {result['median_ms']:.2f} ms, {result['queries']} q")

        assert get_user_model().objects.count() == data.MEMBERS + 1
        from importlib.metadata import version

        import django

        print(
            json.dumps(
                {
                    "peer": "django-machina",
                    "version": version("django-machina"),
                    "django": django.get_version(),
                    "python": sys.version.split()[0],
                    "pages": pages,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
