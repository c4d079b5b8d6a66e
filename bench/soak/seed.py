"""Seed the soak database once, then write what the load users need to seed.json.

    python -m bench.soak.seed --out bench/soak/results/seed.json

Run by ``python -m bench.soak`` with the server's environment (DATABASE_URL, SECRET_KEY...).
Content is made once per database, reusing the project's own seeders where they exist:

- ``manage.py load_demo``: the demo people, forum, chat rooms, blog posts and guides;
- ``manage.py generate_referral_data``: a few hundred members ("bench<N>") with personal
  links, visits, referrals and the referral hub's summary rows;
- here: three more forum categories with topics of 3-40 posts, one topic of 1,000 posts,
  two more chat rooms and 1,000+ messages of history per room, 20 blog posts and 10 guides
  (written, submitted and approved through Wagtail's workflow like the demo's).

Every run (cheap) makes fresh sessions for the simulated members, because a session is
only valid with the SECRET_KEY it was made under.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.images import get_image_model  # noqa: E402
from wagtail.models import WorkflowState  # noqa: E402
from wagtail.search import index  # noqa: E402

from bench.soak.scenarios import SEED_KEYS  # noqa: E402
from blog import actions  # noqa: E402
from blog.markup import source_to_blocks  # noqa: E402
from blog.models import BlogIndexPage, BlogPage, GuidePage  # noqa: E402
from community.chat.models import ChatMessage, Room  # noqa: E402
from community.forum.markup import render_post  # noqa: E402
from community.forum.models import (  # noqa: E402
    Category,
    Post,
    Reaction,
    ReadAccess,
    Topic,
    TopicUser,
)
from community.models import REACTION_KEYS, User  # noqa: E402
from hearth.mail import no_emails  # noqa: E402
from referrals.models import ReferralLink  # noqa: E402

BIG_TOPIC_TITLE = "The big bread thread: show us every loaf"
BIG_TOPIC_POSTS = 1000
EXTRA_CATEGORIES = [
    # slug, name, description, colour
    ("kitchen-gear", "Kitchen gear", "Pans, ovens, scales and the tools that last.", "sky"),
    ("recipes-swap", "Recipe swap", "Tried and tested recipes, shared and adapted.", "sand"),
    ("off-the-counter", "Off the counter", "Everything that isn't baking.", "slate"),
]
TOPICS_PER_CATEGORY = 25
EXTRA_ROOMS = [
    ("kitchen-table", "Kitchen table", "Chat while the dough rises."),
    ("bakers-corner", "Bakers' corner", "Quick questions, quick answers."),
]
CHAT_HISTORY = 1200
BLOG_POSTS = 20
GUIDES = 10
BENCH_PASSWORD = "bench-password"  # what generate_referral_data gives its members
SEARCH_TERMS = ["sourdough", "cast iron", "bread", "starter", "oven", "flour", "cake", "guide"]

_WORDS = (  # noqa: SIM905 - easier to read than a list of 40 strings
    "flour water salt starter crumb crust oven proof fold shape score bake loaf rye "
    "spelt butter sugar tin tray rack steam hydration knead rest dough yeast honey oats "
    "seeds morning evening weekend kitchen friends recipe notes temperature timer "
    "fridge jar"
).split()
_OPENERS = [
    "I tried this again today and",
    "Quick update:",
    "Thanks everyone,",
    "Same here,",
    "Has anyone else noticed that",
    "Honestly",
    "Following up on the last page,",
    "Small tip:",
]


def _sentence(rng: random.Random, words: int = 12) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _post_source(rng: random.Random) -> str:
    """A few short Markdown paragraphs, sometimes with a list, emphasis or a quote."""
    parts = [f"{rng.choice(_OPENERS)} {_sentence(rng, rng.randint(8, 30))}."]
    roll = rng.random()
    if roll < 0.2:
        parts.append("\n".join(f"- {_sentence(rng, rng.randint(3, 8))}" for _ in range(3)))
    elif roll < 0.35:
        parts.append(f"> {_sentence(rng, 10)}")
    elif roll < 0.5:
        parts.append(f"The **{rng.choice(_WORDS)}** made all the difference, _really_.")
    if rng.random() < 0.5:
        parts.append(_sentence(rng, rng.randint(10, 40)).capitalize() + ".")
    return "\n\n".join(parts)


# --- forum ---------------------------------------------------------------------------


def _seed_forum(members: list, rng: random.Random) -> str:
    if Topic.objects.filter(title=BIG_TOPIC_TITLE).exists():
        return "forum: already seeded"
    now = timezone.now()
    rendered: dict[str, str] = {}

    def html_for(source: str) -> str:
        if source not in rendered:
            rendered[source] = render_post(source).html
        return rendered[source]

    def make_topic(category, title: str, n_posts: int, days_ago: float) -> Topic:
        started = now - timedelta(days=days_ago)
        author = rng.choice(members)
        topic = Topic.objects.create(
            title=title,
            category=category,
            author=author,
            created_at=started,
            last_activity_at=started,
        )
        step = (now - started) / (n_posts + 1)
        posts, reactions = [], []
        writers = [author] + [rng.choice(members) for _ in range(n_posts - 1)]
        for number, writer in enumerate(writers, start=1):
            source = _post_source(rng)
            reactors = rng.sample(members, rng.randint(1, 4)) if rng.random() < 0.3 else []
            kinds = [(m, rng.choice(REACTION_KEYS)) for m in reactors if m.pk != writer.pk]
            counts: dict[str, int] = {}
            for _, kind in kinds:
                counts[kind] = counts.get(kind, 0) + 1
            posts.append(
                Post(
                    topic=topic,
                    number=number,
                    author=writer,
                    source=source,
                    html=html_for(source),
                    created_at=started + step * number,
                    reaction_counts=counts,
                )
            )
            reactions.append(kinds)
        Post.objects.bulk_create(posts, batch_size=500)
        Reaction.objects.bulk_create(
            [
                Reaction(post=post, member=member, kind=kind, created_at=post.created_at)
                for post, kinds in zip(posts, reactions, strict=True)
                for member, kind in kinds
            ],
            batch_size=1000,
        )
        last_number: dict[int, int] = {}
        for post in posts:
            last_number[post.author_id] = post.number
        watchers = list(last_number.items())[:8]
        TopicUser.objects.bulk_create(
            [
                TopicUser(member_id=pk, topic=topic, last_read_number=n, watching=True)
                for pk, n in watchers
            ]
        )
        Topic.objects.filter(pk=topic.pk).update(posts_total=len(posts))
        topic.posts_total = len(posts)
        topic.refresh_stats()
        index.insert_or_update_object(topic)  # now that it has its opening post
        return topic

    with transaction.atomic():
        baking = Category.objects.get(slug="baking")
        make_topic(baking, BIG_TOPIC_TITLE, BIG_TOPIC_POSTS, days_ago=200)
        categories = [baking]
        for order, (slug, name, description, colour) in enumerate(EXTRA_CATEGORIES, start=10):
            category, _ = Category.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "colour": colour,
                    "order": order,
                },
            )
            categories.append(category)
            for n in range(TOPICS_PER_CATEGORY):
                title = f"{rng.choice(_WORDS).capitalize()} and {rng.choice(_WORDS)}: {n + 1}"
                make_topic(category, title, rng.randint(3, 40), days_ago=rng.uniform(1, 120))
        for category in Category.objects.all():
            category.refresh_stats()
    return (
        f"forum: {Topic.objects.count()} topics, {Post.objects.count()} posts "
        f"(one of {BIG_TOPIC_POSTS:,})"
    )


# --- chat ----------------------------------------------------------------------------


def _seed_chat(members: list, rng: random.Random) -> str:
    now = timezone.now()
    added = 0
    with transaction.atomic():
        for position, (slug, name, description) in enumerate(EXTRA_ROOMS, start=10):
            Room.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "position": position},
            )
        for room in Room.objects.filter(archived=False):
            missing = CHAT_HISTORY - room.messages.count()
            if missing <= 0:
                continue
            # Older than what is there, oldest first, so ids still grow with time.
            start = now - timedelta(days=30)
            step = timedelta(days=29) / missing
            ChatMessage.objects.bulk_create(
                [
                    ChatMessage(
                        room=room,
                        author=rng.choice(members),
                        body=_sentence(rng, rng.randint(3, 25)),
                        created_at=start + step * i,
                    )
                    for i in range(missing)
                ],
                batch_size=1000,
            )
            added += missing
    return f"chat: {Room.objects.count()} rooms, {added:,} history messages added"


# --- blog and guides -------------------------------------------------------------------


def _seed_content(members: list, rng: random.Random) -> str:
    editor = User.objects.get(username="eddie")
    blog_index = BlogIndexPage.objects.live().first()
    hero = get_image_model().objects.order_by("pk").first()
    today = timezone.localdate()
    made_posts = made_guides = 0
    with no_emails():
        for n in range(BLOG_POSTS):
            slug = f"soak-notes-{n + 1}"
            if BlogPage.objects.filter(slug=slug).exists():
                continue
            post = BlogPage(
                title=f"Notes from the test kitchen, part {n + 1}",
                slug=slug,
                date=today - timedelta(days=3 * n + 1),
                intro=_sentence(rng, 14).capitalize() + ".",
                hero_image=hero,
                body=[
                    {"type": "paragraph", "value": f"<p>{_sentence(rng, 60)}.</p>"},
                    {"type": "heading", "value": {"text": "What we learnt", "level": "h2"}},
                    {"type": "paragraph", "value": f"<p>{_sentence(rng, 80)}.</p>"},
                    {"type": "quote", "value": {"text": _sentence(rng, 12), "attribution": ""}},
                    {"type": "paragraph", "value": f"<p>{_sentence(rng, 50)}.</p>"},
                ],
                owner=editor,
            )
            post.tags.set(rng.sample(["bread", "baking", "kitchen", "news", "community"], 2))
            blog_index.add_child(instance=post)
            post.save_revision(user=editor).publish(user=editor)
            made_posts += 1
        existing = GuidePage.objects.filter(title__startswith="A soak guide to ").count()
        for n in range(existing, GUIDES):
            title = f"A soak guide to {rng.choice(_WORDS)} number {n + 1}"
            author = members[n]
            source = "\n\n".join(
                [
                    _sentence(rng, 20).capitalize() + ".",
                    "## What you need",
                    "\n".join(f"- {_sentence(rng, 4)}" for _ in range(4)),
                    "## The steps",
                    "\n".join(f"{i}. {_sentence(rng, 12)}" for i in range(1, 6)),
                    f"> {_sentence(rng, 10)}",
                ]
            )
            guide = actions.save_guide(
                author=author,
                draft=actions.GuideDraft(
                    title=title,
                    summary=_sentence(rng, 12).capitalize() + ".",
                    difficulty="beginner",
                    body=source_to_blocks(source),
                    tags=["baking"],
                ),
            )
            actions.submit_guide(guide=guide, author=author)
            # The editor approves it, as in the admin (Wagtail's workflow task action).
            state = WorkflowState.objects.active().get(
                base_content_type__model="page", object_id=str(guide.pk)
            )
            task_state = state.current_task_state.specific
            task_state.task.specific.on_action(task_state, editor, "approve")
            made_guides += 1
    return (
        f"content: {made_posts} blog posts and {made_guides} guides added "
        f"({BlogPage.objects.live().count()} posts, {GuidePage.objects.live().count()} guides live)"
    )


# --- what the load users need ----------------------------------------------------------


def _members(rng: random.Random) -> list:
    members = list(
        User.objects.filter(username__startswith="bench", suspended_until__isnull=True)
        .order_by("pk")
        .only("pk", "username", "email", "password", "date_joined")
    )
    if not members:
        raise SystemExit("No bench members: generate_referral_data did not run.")
    return members


def _verify_addresses(members: list) -> None:
    """Verified addresses, as sign-up leaves them, so members can use the sign-in form."""
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in members],
        ignore_conflicts=True,
    )
    # An earlier sign-in attempt may have left an unverified one behind.
    EmailAddress.objects.filter(user__in=members, verified=False).update(verified=True)


def _sessions(members: list) -> list[dict]:
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for member in members:
        store = store_class()
        store[SESSION_KEY] = str(member.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = member.get_session_auth_hash()
        store.create()
        sessions.append({"username": member.username, "key": store.session_key})
    return sessions


def _topic_entry(topic) -> dict:
    return {"id": topic.pk, "url": topic.get_absolute_url(), "pages": topic.num_pages}


def _describe(members: list, sessions: list[dict]) -> dict:
    public = Category.objects.filter(read_access=ReadAccess.PUBLIC)
    private = Category.objects.filter(read_access=ReadAccess.MEMBERS)
    listed = Topic.objects.listed().filter(locked=False)
    big = Topic.objects.get(title=BIG_TOPIC_TITLE)
    codes = list(
        ReferralLink.objects.filter(
            target_path="",
            disabled_at__isnull=True,
            owner__in=[m.pk for m in members],
        )
        .order_by("pk")
        .values_list("code", flat=True)[:500]
    )
    half = len(members) // 2
    return {
        "sessions": sessions[:half],
        # The second half signs in through the form, so the two never share an account
        # (each member's posting interval and chat flood bucket stay their own).
        "logins": [{"email": m.email, "password": BENCH_PASSWORD} for m in members[half:]],
        "categories": [c.get_absolute_url() for c in public],
        "member_categories": [c.get_absolute_url() for c in private],
        "topics": [_topic_entry(t) for t in listed.filter(category__in=public)],
        "member_topics": [_topic_entry(t) for t in listed.filter(category__in=private)],
        "big_topic": _topic_entry(big),
        "guides": [p.url for p in GuidePage.objects.live().specific()],
        "blog_posts": [p.url for p in BlogPage.objects.live().specific()],
        "chat_rooms": [
            {"slug": r.slug, "public": r.is_public} for r in Room.objects.filter(archived=False)
        ],
        "referral_codes": codes,
        "search_terms": SEARCH_TERMS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak.seed", description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--visits", type=int, default=50_000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    call_command("load_demo", stdout=io.StringIO())  # idempotent; its logins are not ours
    print(f"  load_demo: {time.perf_counter() - started:.1f} s", flush=True)
    if not User.objects.filter(username__startswith="bench").exists():
        call_command("generate_referral_data", members=args.members, visits=args.visits)
    rng = random.Random(2026)
    members = _members(rng)
    for step in (_seed_forum, _seed_chat, _seed_content):
        began = time.perf_counter()
        print(f"  {step(members, rng)} ({time.perf_counter() - began:.1f} s)", flush=True)
    _verify_addresses(members)
    sessions = _sessions(members[: len(members) // 2])
    seed = _describe(members, sessions)
    missing = [key for key in SEED_KEYS if not seed.get(key)]
    if missing:
        print(f"seed.json would lack {', '.join(missing)}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(seed, indent=1))
    print(
        f"  {len(sessions)} member sessions, {len(seed['logins'])} sign-in accounts, "
        f"{len(seed['topics'])} public topics, {len(seed['referral_codes'])} referral codes "
        f"({time.perf_counter() - started:.0f} s in all)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
