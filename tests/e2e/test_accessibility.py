"""Accessibility, measured: axe-core runs on every page type a person meets, as a visitor,
a member and a moderator, on a desktop (1280 px) and a phone (360 px). Any serious or
critical violation of the WCAG 2.x A/AA rules fails the journey, listing each one with
its rule, the element and the page.

The data is the demo's (`manage.py load_demo`), plus a flagged post for the review screens
(the flag queue and the review inbox) and a hidden post of the member's for the penalty
page with its appeal form. Each page is checked as it loads and again with its folded parts
open (the phone menu, <details>). Each page type at 360 px is kept as a screenshot
artifact, and every violation found (best-practice ones too) in test-artifacts/axe/.

axe-core is the copy axe-playwright-python ships; HEARTH_AXE_SCRIPT=/path/to/axe.min.js
runs another release instead.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from blog.models import BlogPage, GuidePage
from community.chat.models import Room
from community.demo import DEMO_PASSWORD
from community.forum import actions as forum
from community.forum.models import Category, Post, Topic
from community.models import User
from community.moderation.models import Penalty
from tests.e2e.conftest import screenshot, sign_in

# axe-core's tags for the WCAG 2.x success criteria at levels A and AA; these fail the
# journey. Its best-practice rules run too, for the report only (test-artifacts/axe/).
WCAG_TAGS = {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}
AXE = Path(os.environ.get("HEARTH_AXE_SCRIPT", AXE_FILE_PATH)).read_text()
BLOCKING = {"serious", "critical"}
WIDTHS = {1280: 900, 360: 740}
PEOPLE = {"member": "maya@example.com", "moderator": "mo@example.com"}
REPORTS = Path(os.environ.get("HEARTH_TEST_ARTIFACTS", "test-artifacts")) / "axe"


@dataclass(frozen=True)
class PageType:
    name: str
    roles: tuple[str, ...]


EVERYONE = ("visitor", "member")
MEMBERS = ("member",)
MODERATORS = ("moderator",)

PAGE_TYPES = [
    PageType("home", EVERYONE),
    PageType("blog-index", EVERYONE),
    PageType("blog-post", EVERYONE),
    PageType("guides-index", EVERYONE),
    PageType("guide", EVERYONE),
    PageType("guide-editor", MEMBERS),
    PageType("forum-index", EVERYONE),
    PageType("forum-category", EVERYONE),
    PageType("topic-list-top", EVERYONE),
    PageType("topic-list-unread", MEMBERS),
    PageType("bookmarks", MEMBERS),
    PageType("topic", (*EVERYONE, "moderator")),
    PageType("reply-form", MEMBERS),
    PageType("new-topic", MEMBERS),
    PageType("chat-room", (*EVERYONE, "moderator")),
    PageType("search", EVERYONE),
    PageType("profile", (*EVERYONE, "moderator")),
    PageType("profile-edit", MEMBERS),
    PageType("notifications", MEMBERS),
    PageType("referrals", MEMBERS),
    PageType("points", MEMBERS),
    PageType("leaderboard", EVERYONE),
    PageType("sign-in", ("visitor",)),
    PageType("sign-up", ("visitor",)),
    PageType("penalty-appeal", MEMBERS),
    PageType("flag-queue", MODERATORS),
    PageType("review-inbox", MODERATORS),
]


def _build_demo() -> dict[str, str]:
    """The demo's content, one flagged post for the review screens, and the address of
    one page of each type."""
    try:
        return _demo_paths()
    finally:
        connections.close_all()


def _demo_paths() -> dict[str, str]:
    call_command("load_demo", stdout=StringIO())
    sam = User.objects.get(username="sam")
    topic = Topic.objects.filter(posts__number=2).exclude(posts__author=sam).first()
    assert topic is not None, "the demo has a topic with a reply"
    reply = topic.posts.get(number=2)
    forum.flag_post(post=reply, flagger=sam, reason="spam")
    # A post of Maya's that a moderator hid: her notice, with the appeal form.
    mine = Post.objects.filter(author__username="maya", number__gt=1).first()
    assert mine is not None, "the demo has a reply by Maya"
    forum.hide_post(post=mine, moderator=User.objects.get(username="mo"), reason="Off topic")
    # Something on Maya's bookmarks page: a post with a reminder, and a topic.
    forum.bookmark(
        member=mine.author, topic=topic, post=reply, remind_at=timezone.now() + timedelta(days=1)
    )
    forum.bookmark(member=mine.author, topic=topic)
    penalty = Penalty.objects.get(member=mine.author, kind=Penalty.Kind.HIDDEN_POST)
    category = Category.objects.get(pk=topic.category_id)
    blog_post = BlogPage.objects.live().first()
    guide = GuidePage.objects.live().first()
    room = Room.objects.get(slug="lobby")
    assert blog_post and guide
    return {
        "home": "/",
        "blog-index": "/blog/",
        "blog-post": blog_post.url,
        "guides-index": "/guides/",
        "guide": guide.url,
        "guide-editor": "/guides/new/",
        "forum-index": "/forum/",
        "forum-category": category.get_absolute_url(),
        "topic-list-top": "/forum/top/?period=year",
        "topic-list-unread": "/forum/unread/",
        "bookmarks": "/bookmarks/",
        "topic": topic.get_absolute_url(),
        "reply-form": f"/forum/t/{topic.pk}/reply/",
        "new-topic": f"/forum/new/?category={category.slug}",
        "chat-room": room.get_absolute_url(),
        "search": "/search/?q=bread",
        "profile": f"/members/{reply.author.username}/",
        "profile-edit": "/members/maya/edit/",
        "notifications": "/notifications/",
        "referrals": "/referrals/",
        "points": "/points/",
        "leaderboard": "/leaderboard/",
        "sign-in": "/accounts/login/",
        "sign-up": "/accounts/signup/",
        "penalty-appeal": f"/penalties/{penalty.pk}/",
        "flag-queue": "/forum/flags/",
        "review-inbox": "/admin/inbox/",
    }


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE)
    result = page.evaluate(
        "options => axe.run(document, options)",
        {
            "runOnly": {"type": "tag", "values": [*sorted(WCAG_TAGS), "best-practice"]},
            "resultTypes": ["violations"],
        },
    )
    return result["violations"]


OPEN_EVERYTHING = """() => {
    const closed = document.querySelectorAll("details:not([open])");
    closed.forEach(details => { details.open = true; });
    return closed.length > 0;
}"""


def _merge(first: list[dict], second: list[dict]) -> list[dict]:
    """Both runs' violations, each element once."""
    merged = {v["id"]: {**v, "nodes": list(v["nodes"])} for v in first}
    for violation in second:
        known = merged.setdefault(violation["id"], {**violation, "nodes": []})
        seen = {tuple(node["target"]) for node in known["nodes"]}
        known["nodes"] += [n for n in violation["nodes"] if tuple(n["target"]) not in seen]
    return list(merged.values())


def _describe(page_type: str, path: str, violation: dict) -> list[str]:
    return [
        f"{page_type} ({path}): {violation['id']} [{violation['impact']}] "
        f"{' '.join(node['target'])}: {violation['help']}"
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("role", ["visitor", "member", "moderator"])
def test_every_page_type_has_no_serious_or_critical_axe_violations(role, new_page, asgi_server):
    # In a thread of its own: the demo's live events need one without Playwright's loop.
    # Built once for both widths (the demo is the slow part).
    with ThreadPoolExecutor(max_workers=1) as worker:
        paths = worker.submit(_build_demo).result()
    problems: list[str] = []
    for width, height in WIDTHS.items():
        page = new_page(width=width, height=height)
        if role in PEOPLE:
            sign_in(page, PEOPLE[role], DEMO_PASSWORD)
        problems += _check_every_page_type(page, role, width, paths)
    assert not problems, f"{len(problems)} serious or critical accessibility problem(s):\n" + (
        "\n".join(problems)
    )


def _check_every_page_type(page, role: str, width: int, paths: dict[str, str]) -> list[str]:
    problems: list[str] = []
    report: dict[str, list[dict]] = {}
    for page_type in (p.name for p in PAGE_TYPES if role in p.roles):
        path = paths[page_type]
        response = page.goto(path)
        assert response is not None and response.ok, f"{page_type} ({path}): {response}"
        assert page.url.endswith(path), f"{page_type} ({path}) went to {page.url}"
        page.wait_for_load_state("load")
        violations = axe_violations(page)
        if width == 360:
            screenshot(page, f"{page_type}-{role}-360")
        # Then what waits behind a click: the phone menu, folded forms and pickers.
        toggle = page.locator(".nav-toggle")
        if toggle.is_visible():
            toggle.click()
        if page.evaluate(OPEN_EVERYTHING) or toggle.is_visible():
            violations = _merge(violations, axe_violations(page))
        report[page_type] = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "wcag": bool(WCAG_TAGS & set(v["tags"])),
                "targets": [" ".join(n["target"]) for n in v["nodes"]],
            }
            for v in violations
        ]
        for violation in violations:
            if violation["impact"] in BLOCKING and WCAG_TAGS & set(violation["tags"]):
                problems.extend(
                    f"{width} px: {line}" for line in _describe(page_type, path, violation)
                )

    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{role}-{width}.json").write_text(json.dumps(report, indent=2))
    return problems
