"""Who may do what: one table, checked against every route the site has and against
docs/permissions.md.

Each row is a route (by its URL name), the request a person would make there, and the
answer each persona gets: a visitor, a new member (trust level 0), a member, a moderator
and an editor. The content acted on belongs to someone else (Sam), so "member" means
"a member acting on another member's things". The answers:

- ``ok``: the page or the action is theirs (2xx, or a redirect that is not a refusal);
- ``login``: sent to sign in; ``403``: refused; ``404``: not shown to them;
- ``405``: the method is not offered (a GET on a POST-only action);
- ``admin``: Wagtail's refusal for staff screens (back to the dashboard, "no permission"),
  which no admin screen of Hearth's should answer (hearth.admin_denied makes it a 403).

Every non-admin route must have a row (a new route without one fails the test), and
every Wagtail admin route is walked too: visitors are sent to sign in and members who are
not staff never get a screen. Hearth's own admin screens have their own table
(``ADMIN_TABLE``: every route of them × each persona, staff included), and so do the
websocket frames.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from community import digest
from community.actions import notify, silence_member
from community.chat.models import Room
from community.forum.models import ReadAccess
from community.moderation.models import Penalty
from referrals import actions as referral_actions
from tests.blog.factories import make_post, published_guide, write_guide
from tests.blog.translation_factories import translate
from tests.chat.factories import make_message, make_room
from tests.chat.helpers import communicator, receive_until
from tests.conversations.factories import sams_conversation
from tests.factories import make_editor, make_member, make_moderator
from tests.forum.factories import make_category, make_reply, make_tag, make_topic
from tests.site.test_junk_urls import Junk, Route, all_routes, build_url
from tests.survey.factories import answer_path, make_email_round, unsubscribe_path

PERSONAS = ("visitor", "tl0", "member", "moderator", "editor")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


@dataclass
class World:
    users: dict[str, Any]
    owner: Any
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    users = {
        "visitor": None,
        "tl0": make_member(username="nora", joined_days_ago=0),
        "member": make_member(username="maya"),
        "moderator": make_moderator(username="mo"),
        "editor": make_editor(username="eddie"),
    }
    sam = make_member(username="sam")
    category = make_category(slug="kitchen")
    members_only = make_category(slug="back-room", read_access=ReadAccess.MEMBERS)
    make_tag("ovens")
    topic = make_topic(author=sam, category=category, tags=("ovens",), title="Rye starter")
    post = make_reply(topic=topic, author=sam)
    hidden_topic = make_topic(author=sam, category=members_only, title="Members only")
    room = make_room(slug="lounge")
    members_room = make_room(slug="den", visibility=Room.Visibility.MEMBERS)
    message = make_message(room, sam)
    guide = write_guide(sam)
    published = published_guide(sam, make_editor(username="ed"))
    blog_post = make_post("Autumn bread")
    # Last of the pages: a translation mirrors the blog index into its language's tree.
    translated_post = translate(blog_post, "et", title="Sügisene leib")
    translate(blog_post, "uk", title="Осінній хліб", publish=False)
    link = referral_actions.get_or_create_link(owner=sam)
    ana = make_member(username="ana")
    silence_member(
        member=ana,
        moderator=make_moderator(username="judge"),
        until=timezone.now() + timedelta(days=2),
        reason="Cool off",
    )
    notifications = {
        name: notify(recipient=user, kind="mention", text="Hello", actor=sam)
        for name, user in users.items()
        if user is not None
    }
    return World(
        users=users,
        owner=sam,
        objects={
            "category": category,
            "members_only": members_only,
            "topic": topic,
            "post": post,
            "hidden_topic": hidden_topic,
            "room": room,
            "members_room": members_room,
            "message": message,
            "guide": guide,
            "published": published,
            "blog_post": blog_post,
            "translated_post": translated_post,
            "link": link,
            "penalty": Penalty.objects.get(member=ana),
            "notifications": notifications,
        },
    )


@dataclass(frozen=True)
class Row:
    method: str
    url: Callable[[World, str], str]
    expect: dict[str, str]
    data: Callable[[World], dict] | None = None


def _expect(visitor: str, tl0: str, member: str, moderator: str, editor: str) -> dict[str, str]:
    return dict(zip(PERSONAS, (visitor, tl0, member, moderator, editor), strict=True))


def _get(path: str | Callable[[World], str], *answers: str) -> Row:
    url = path if callable(path) else (lambda w: path)
    return Row("GET", lambda w, p: url(w), _expect(*answers))


def _post(path: Callable[[World], str], *answers: str, data=None) -> Row:
    return Row("POST", lambda w, p: path(w), _expect(*answers), data)


ALL = ("ok",) * 5
MEMBERS = ("login", "ok", "ok", "ok", "ok")
MODERATORS = ("login", "403", "403", "ok", "403")
AUTHOR_ONLY = ("login", "403", "403", "403", "403")
AUTHOR_ONLY_404 = ("login", "404", "404", "404", "404")
OWNER_ONLY = AUTHOR_ONLY_404


def _own_notification(w: World, persona: str) -> str:
    notification = w.notifications.get(persona)
    return f"/notifications/{notification.pk if notification else 1}/"


# Route name -> the request and each persona's answer, in the order of the URLconf.
TABLE: dict[str, Row] = {
    "healthz": _get("/healthz", *ALL),
    "javascript-catalog": _get("/jsi18n/", *ALL),
    "choose-language": _get("/language/?language=en-gb&next=/forum/", *ALL),
    "search": _get("/search/?q=rye", *ALL),
    "sitemap": _get("/sitemap.xml", *ALL),
    # accounts (allauth)
    "account_login": _get("/accounts/login/", *ALL),
    "account_signup": _get("/accounts/signup/", *ALL),
    "account_logout": _get("/accounts/logout/", *ALL),
    "account_email": _get("/accounts/email/", *MEMBERS),
    "account_change_password": _get("/accounts/password/change/", *MEMBERS),
    "account_set_password": _get("/accounts/password/set/", *MEMBERS),
    "account_reset_password": _get("/accounts/password/reset/", *ALL),
    "account_reset_password_done": _get("/accounts/password/reset/done/", *ALL),
    "account_reset_password_from_key_done": _get("/accounts/password/reset/key/done/", *ALL),
    # community
    "community:my-profile": _get("/members/me/", *MEMBERS),
    "community:member-suggest": _get("/members/suggest/?q=ma", *MEMBERS),
    "community:profile": _get("/members/sam/", *ALL),
    "community:user-card": _get("/members/sam/card/", *ALL),
    "community:edit-profile": _get("/members/sam/edit/", "login", "403", "403", "403", "403"),
    "community:moderate-member": _post(lambda w: "/members/sam/moderate/", *MODERATORS),
    "community:notifications": _get("/notifications/", *MEMBERS),
    "community:notifications-read-all": _post(lambda w: "/notifications/read-all/", *MEMBERS),
    "community:digest-unsubscribe": _get(
        lambda w: f"/digest/unsubscribe/{digest.unsubscribe_token(w.owner)}/", *ALL
    ),
    "community:notification-open": Row(
        "GET", _own_notification, _expect("login", "ok", "ok", "ok", "ok")
    ),
    # forum
    "forum:index": _get("/forum/", *ALL),
    "forum:new-topic": _get("/forum/new/", *MEMBERS),
    "forum:preview": _post(lambda w: "/forum/preview/", *MEMBERS, data=lambda w: {"body": "Hi"}),
    "forum:save-draft": _post(
        lambda w: "/forum/drafts/", *MEMBERS, data=lambda w: {"key": "topic", "body": "Hi"}
    ),
    "forum:latest": _get("/forum/latest/", *ALL),
    "forum:new": _get("/forum/new-topics/", *MEMBERS),
    "forum:unread": _get("/forum/unread/", *MEMBERS),
    "forum:top": _get("/forum/top/?period=week", *ALL),
    "forum:category": _get("/forum/c/kitchen/", *ALL),
    "forum:category-level": _post(
        lambda w: "/forum/c/kitchen/level/", *MEMBERS, data=lambda w: {"level": "tracking"}
    ),
    "forum:tags": _get("/forum/tags/", *ALL),
    "forum:tag": _get("/forum/tags/ovens/", *ALL),
    "forum:tag-level": _post(
        lambda w: "/forum/tags/ovens/level/", *MEMBERS, data=lambda w: {"level": "tracking"}
    ),
    "forum:topic-short": _get(lambda w: f"/forum/t/{w.topic.pk}/", *ALL),
    "forum:topic": _get(lambda w: w.topic.get_absolute_url(), *ALL),
    "forum:reply": _get(lambda w: f"/forum/t/{w.topic.pk}/reply/", *MEMBERS),
    "forum:watch": _post(lambda w: f"/forum/t/{w.topic.pk}/watch/", *MEMBERS),
    "forum:bookmark-topic": _post(lambda w: f"/forum/t/{w.topic.pk}/bookmark/", *MEMBERS),
    "forum:moderate-topic": _post(lambda w: f"/forum/t/{w.topic.pk}/moderate/", *MODERATORS),
    "forum:post": _get(lambda w: f"/forum/p/{w.post.pk}/", *ALL),
    "forum:edit-post": _get(lambda w: f"/forum/p/{w.post.pk}/edit/", *MODERATORS),
    "forum:delete-post": _get(lambda w: f"/forum/p/{w.post.pk}/delete/", *MODERATORS),
    "forum:post-history": _get(lambda w: f"/forum/p/{w.post.pk}/history/", *ALL),
    "forum:quote": _get(lambda w: f"/forum/p/{w.post.pk}/quote/", *MEMBERS),
    "forum:react": _post(lambda w: f"/forum/p/{w.post.pk}/react/", *MEMBERS),
    "forum:solution": _post(lambda w: f"/forum/p/{w.post.pk}/solution/", *MODERATORS),
    "forum:bookmark-post": _post(lambda w: f"/forum/p/{w.post.pk}/bookmark/", *MEMBERS),
    "forum:flag": _get(lambda w: f"/forum/p/{w.post.pk}/flag/", *MEMBERS),
    "forum:moderate-post": _post(lambda w: f"/forum/p/{w.post.pk}/moderate/", *MODERATORS),
    "forum:flags": _get("/forum/flags/", *MODERATORS),
    "forum:resolve-flags": _post(lambda w: f"/forum/flags/{w.post.pk}/", *MODERATORS),
    "forum:bookmarks": _get("/bookmarks/", *MEMBERS),
    "forum:preferences": _get("/forum/preferences/", *MEMBERS),
    # chat
    "chat:rooms": _get("/chat/", *ALL),
    "chat:unread-badge": _get("/chat/unread/", *ALL),
    "chat:room": _get("/chat/lounge/", *ALL),
    "chat:send": _post(lambda w: "/chat/lounge/send/", *MEMBERS),
    "chat:topic": _get("/chat/lounge/topic/", *MODERATORS),
    "chat:mute": _post(
        lambda w: "/chat/lounge/mute/",
        *MODERATORS,
        data=lambda w: {"username": "sam", "minutes": "10", "reason": "Cool off"},
    ),
    "chat:edit": _get(lambda w: f"/chat/lounge/messages/{w.message.pk}/edit/", *AUTHOR_ONLY),
    "chat:delete": _post(lambda w: f"/chat/lounge/messages/{w.message.pk}/delete/", *MODERATORS),
    "chat:react": _post(lambda w: f"/chat/lounge/messages/{w.message.pk}/react/", *MEMBERS),
    # private messages: Sam's conversation with Bea, which no persona is in and nobody
    # flagged (a moderator reads one only after a flag: tests/conversations)
    "conversations:list": _get("/messages/", *MEMBERS),
    "conversations:new": _get("/messages/new/?to=sam", *MEMBERS),
    "conversations:unread-badge": _get("/messages/unread/", *ALL),
    "conversations:conversation": _get(
        lambda w: sams_conversation(w.owner).get_absolute_url(), *AUTHOR_ONLY_404
    ),
    "conversations:reply": _post(
        lambda w: f"/messages/{sams_conversation(w.owner).pk}/reply/",
        *AUTHOR_ONLY_404,
        data=lambda w: {"body": "Hello"},
    ),
    "conversations:read": _post(
        lambda w: f"/messages/{sams_conversation(w.owner).pk}/read/",
        *AUTHOR_ONLY_404,
        data=lambda w: {"up_to": "1"},
    ),
    "conversations:leave": _post(
        lambda w: f"/messages/{sams_conversation(w.owner).pk}/leave/", *AUTHOR_ONLY_404
    ),
    "conversations:flag": _get(
        lambda w: (
            f"/messages/{sams_conversation(w.owner).pk}/messages/"
            f"{sams_conversation(w.owner).messages.first().pk}/flag/"
        ),
        *AUTHOR_ONLY_404,
    ),
    "conversations:block": _post(lambda w: "/members/sam/block/", *MEMBERS),
    "conversations:unblock": _post(lambda w: "/members/sam/unblock/", *MEMBERS),
    # referrals
    "referrals:follow": _get(lambda w: f"/r/{w.link.code}/", *ALL),
    "referrals:mine": _get("/referrals/", *MEMBERS),
    "referrals:points": _get("/points/", *MEMBERS),
    "referrals:invite": _post(
        lambda w: "/referrals/invite/", *MEMBERS, data=lambda w: {"emails": "friend@example.org"}
    ),
    "referrals:share": _get(
        lambda w: f"/referrals/share/?path={w.topic.get_absolute_url()}", *MEMBERS
    ),
    "referrals:disable-link": _post(
        lambda w: f"/referrals/links/{w.link.code}/disable/", *MODERATORS
    ),
    "referrals:enable-link": _post(
        lambda w: f"/referrals/links/{w.link.code}/enable/", *MODERATORS
    ),
    "referrals:leaderboard": _get("/leaderboard/", *ALL),
    "referrals:hall-of-fame": _get("/hall-of-fame/", *ALL),
    "referrals:badges": _get("/badges/", *ALL),
    "referrals:badge": _get("/badges/first_post/", *ALL),
    "referrals:referrals-api:openapi-json": _get("/api/openapi.json", *ALL),
    "referrals:referrals-api:openapi-view": _get("/api/docs", *ALL),
    # The shop's webhook answers the shop's signature only, never a session.
    "referrals:referrals-api:report_conversion": _post(
        lambda w: "/api/referrals/conversions", *(("401",) * 5)
    ),
    "referrals:referrals-api:api-root": _get("/api/", *(("404",) * 5)),
    # guides (blog)
    "blog:guide-new": _get("/guides/new/", *MEMBERS),
    "blog:my-guides": _get("/guides/mine/", *MEMBERS),
    # Sam's draft is Sam's own: nobody else finds it, editors preview it for review.
    "blog:guide-edit": _get(lambda w: f"/guides/{w.guide.pk}/edit/", *AUTHOR_ONLY_404),
    "blog:guide-preview": _get(
        lambda w: f"/guides/{w.guide.pk}/preview/", "login", "404", "404", "404", "ok"
    ),
    "blog:guide-submit": _post(lambda w: f"/guides/{w.guide.pk}/submit/", *AUTHOR_ONLY_404),
    "blog:guide-withdraw": _post(lambda w: f"/guides/{w.guide.pk}/withdraw/", *AUTHOR_ONLY_404),
    "blog:guide-helpful": _post(lambda w: f"/guides/{w.published.pk}/helpful/", *MEMBERS),
    # penalties: a member's own notice and appeal; Ana's is hers alone
    "moderation:penalty": _get(lambda w: f"/penalties/{w.penalty.pk}/", *OWNER_ONLY),
    # the recommend survey: each member answers for themselves (a refusal is a message)
    "survey:answer": _post(lambda w: "/survey/answer/", *MEMBERS, data=lambda w: {"score": "8"}),
    "survey:dismiss": _post(lambda w: "/survey/dismiss/", *MEMBERS),
    "survey:thanks": _get("/survey/thanks/", *MEMBERS),
    "survey:reason": _post(
        lambda w: "/survey/reason/", *MEMBERS, data=lambda w: {"reason": "Friendly people"}
    ),
    # The survey email's links are Sam's (signed for him): they work without signing in,
    # and refuse anyone else who is signed in on that browser.
    "survey:email-answer": _get(
        lambda w: answer_path(make_email_round(w.owner), 8), "ok", "403", "403", "403", "403"
    ),
    "survey:email-reason": _post(
        lambda w: answer_path(make_email_round(w.owner, answered=8), 8) + "reason/",
        *("ok", "403", "403", "403", "403"),
        data=lambda w: {"reason": "Friendly people"},
    ),
    "survey:unsubscribe": _get(lambda w: unsubscribe_path(w.owner), *ALL),
    # challenges: each member sees their own
    "recognition:challenges": _get("/challenges/", *MEMBERS),
    # Wagtail's pages
    "wagtail_serve": _get(lambda w: w.blog_post.url, *ALL),
    # The same route under a language's prefix (hearth.page_languages): a published
    # translation, one that is only a draft, and the translated blog's feed.
    "wagtail_serve /et/…": _get(lambda w: w.translated_post.url, *ALL),
    "wagtail_serve /uk/… (draft)": _get(lambda w: f"/uk/blog/{w.blog_post.slug}/", *("404",) * 5),
    "wagtail_serve /et/blog/feed/rss/": _get("/et/blog/feed/rss/", *ALL),
}

# Routes that are not pages a persona visits by hand: one-time links that carry a key,
# password-protected pages' forms, and files served by id (their tests check them).
NOT_IN_TABLE = {
    "account_inactive",
    "account_reauthenticate",
    "account_email_verification_sent",
    "account_confirm_login_code",
    "account_confirm_email",
    "account_reset_password_from_key",
    "wagtaildocs_serve",
    "wagtaildocs_authenticate_with_password",
    "wagtailcore_authenticate_with_password",
    "wagtailcore_login",
}


def _route_name(route: Route) -> str:
    names = [getattr(piece, "namespace", None) for piece in route.pieces[:-1]]
    return ":".join([name for name in names if name] + [route.name])


def _site_routes() -> list[Route]:
    return [r for r in all_routes() if not r.text.startswith(("admin/", "django-admin/"))]


def _admin_routes() -> list[Route]:
    return [r for r in all_routes() if r.text.startswith("admin/")]


def answer(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307):
        location = response["Location"]
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return "login"
        if location.rstrip("/") == "/admin":
            return "admin"
        return "ok"
    if 200 <= code < 300:
        return "ok"
    return str(code)


def _client(user) -> Client:
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


def _ask(world: World, persona: str, row: Row) -> str:
    cache.clear()  # rate limits of one persona's request never decide another's
    client = _client(world.users[persona])
    url = row.url(world, persona)
    with transaction.atomic():
        if row.method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, row.data(world) if row.data else {})
        transaction.set_rollback(True)
    return answer(response)


def test_every_route_of_the_site_has_a_row():
    names = {_route_name(route) for route in _site_routes()}
    missing = sorted(names - TABLE.keys() - NOT_IN_TABLE - {""})
    assert not missing, f"routes without a row in the permission table: {missing}"
    # "wagtail_serve /et/…": another shape of the same route.
    stale = sorted({key.split(" ", 1)[0] for key in TABLE} - names)
    assert not stale, f"rows for routes that no longer exist: {stale}"


def _mismatches(got: dict[str, dict[str, str]], expected: dict[str, dict[str, str]]) -> str:
    lines = []
    for name, answers in got.items():
        if answers != expected[name]:
            table = " ".join(expected[name][p] for p in PERSONAS)
            seen = " ".join(answers[p] for p in PERSONAS)
            lines.append(f"{name}: the table says {table}, the site answered {seen}")
    return "\n".join(lines)


@pytest.mark.django_db
def test_each_persona_gets_the_answer_in_the_table(settings):
    """One world, every row (each request rolled back): a failure lists every row that
    differs, in the table's own words."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SHOP_WEBHOOK_SECRET = "a-secret-only-the-shop-knows"
    world = build_world()
    got = {name: {p: _ask(world, p, row) for p in PERSONAS} for name, row in TABLE.items()}
    differences = _mismatches(got, {name: row.expect for name, row in TABLE.items()})
    assert not differences, differences


# The admin's own sign-in and password reset screens, its icon sprite and its JavaScript
# translations: public by design.
PUBLIC_ADMIN_ROUTES = {
    "wagtailadmin_login",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_sprite",
    "wagtailadmin_javascript_catalog",
}


@pytest.mark.slow
@pytest.mark.django_db
def test_no_admin_screen_opens_for_visitors_or_members():
    """Wagtail's admin, every route: visitors sign in first, members never see a screen."""
    member = make_member(username="maya")
    clients = {"visitor": _client(None), "member": _client(member)}
    opened = []
    for route in _admin_routes():
        if route.name in PUBLIC_ADMIN_ROUTES:
            continue
        url = build_url(route, Junk(number="1"))
        for persona, client in clients.items():
            got = answer(client.get(url))
            # 404: the junk in the address matched no object, which tells nothing either.
            allowed = {"login", "404"} if persona == "visitor" else {"login", "admin", "403", "404"}
            if got not in allowed:
                opened.append(f"{persona} {url} -> {got}")
    assert not opened, "\n".join(opened)


# --- the admin: Hearth's own screens ------------------------------------------------------

# Every admin route whose view or model is Hearth's (the screens its apps register: the
# inbox, the member pages, held referrals, dashboards, viewsets and snippets of its
# models), plus the Wagtail screens the docs promise staff (the dashboard, the audit log,
# the settings of Hearth's apps), × each persona. A row is a route name or a whole
# viewset ("forum_categories:*": every route in it answers the same, unless a route has
# its own row). The answers are as above: members, who never hold the admin permission,
# get a 403 page (community.middleware), and so do staff on another role's screen
# (hearth.admin_denied: not Wagtail's redirect to the dashboard, which reads ``admin``);
# a redirect within the admin is ``ok``.
HEARTH_APPS = ("community", "referrals", "survey", "blog", "recognition", "hearth")

STAFF = ("login", "403", "403", "ok", "ok")
# MODERATORS (above) for the moderators' screens, and:
EDITORS = ("login", "403", "403", "403", "ok")
NOBODY = ("login", "403", "403", "403", "403")


@dataclass(frozen=True)
class AdminRow:
    expect: dict[str, str]
    # The object a route with an id in its path is asked about (else the route is filled
    # with "1", which for a list route means nothing).
    pk: Callable[[World], object] | None = None
    method: str = "GET"
    data: dict[str, str] = field(default_factory=dict)


def _admin(
    *answers: str,
    pk: Callable[[World], object] | None = None,
    method: str = "GET",
    data: dict[str, str] | None = None,
) -> AdminRow:
    return AdminRow(_expect(*answers), pk, method, data or {})


ADMIN_TABLE: dict[str, AdminRow] = {
    # Wagtail's own screens that the docs promise staff
    "wagtailadmin_home": _admin(*STAFF),
    "wagtailadmin_reports:site_history": _admin(*STAFF),
    # the review inbox (decide, claim and bulk are forms: a POST without a choice is
    # told what is missing)
    "inbox:index": _admin(*MODERATORS),
    "inbox:decide": _admin(*MODERATORS, method="POST"),
    "inbox:claim": _admin(*MODERATORS, method="POST"),
    "inbox:bulk": _admin(*MODERATORS, method="POST"),
    # members, staff notes, penalties, appeals
    "moderation_admin:members": _admin(*MODERATORS),
    "moderation_admin:member": _admin(*MODERATORS, pk=lambda w: w.owner),
    "moderation_admin:add-note": _admin(
        *MODERATORS, pk=lambda w: w.owner, method="POST", data={"text": "Kind so far."}
    ),
    "moderation_admin:lift": _admin(*MODERATORS, pk=lambda w: w.penalty, method="POST"),
    "moderation_admin:appeals": _admin(*MODERATORS),
    "moderation_admin:appeal": _admin(*MODERATORS, pk=lambda w: w.appeal),
    "canned_reasons:*": _admin(*MODERATORS, pk=lambda w: w.canned_reason),
    # the referral hub
    "referrals_admin:held": _admin(*MODERATORS),
    "referrals_admin:review": _admin(*MODERATORS, pk=lambda w: w.held_referral),
    "referrals_admin:links": _admin(*MODERATORS),
    "referrals_admin:dashboard": _admin(*EDITORS),
    "referrals_admin:thank_you_list": _admin(*EDITORS),
    "referrals_admin:thank_you": _admin(*EDITORS, pk=lambda w: w.thank_you),
    "points_rules:*": _admin(*EDITORS, pk=lambda w: w.points_rule),
    # The rules are the ones the code knows: editors change their points, nobody adds or
    # deletes one.
    "points_rules:add": _admin(*NOBODY),
    "points_rules:delete": _admin(*NOBODY, pk=lambda w: w.points_rule),
    # forum, chat, blog
    "forum_categories:*": _admin(*STAFF, pk=lambda w: w.category),
    "forum_categories:reorder": _admin(
        *STAFF, pk=lambda w: w.category, method="POST", data={"position": "0"}
    ),
    "forum_tags:*": _admin(*STAFF, pk=lambda w: w.tag),
    "wagtailsnippets_chat_room:*": _admin(*STAFF, pk=lambda w: w.room),
    "wagtailsnippetchoosers_chat_room:*": _admin(*STAFF, pk=lambda w: w.room),
    # Mutes are the moderators'; editors see the list only.
    "wagtailsnippets_chat_roommute:*": _admin(*MODERATORS, pk=lambda w: w.mute),
    "wagtailsnippets_chat_roommute:list": _admin(*STAFF),
    "wagtailsnippets_chat_roommute:list_results": _admin(*STAFF),
    "wagtailsnippetchoosers_chat_roommute:*": _admin(*STAFF, pk=lambda w: w.mute),
    "wagtailsnippetchoosers_chat_roommute:create": _admin(*MODERATORS),
    "wagtailsnippets_blog_author:*": _admin(*EDITORS, pk=lambda w: w.author),
    # Wagtail's choosers let all staff pick an author (to read a name); creating one
    # there is the editors'.
    "wagtailsnippetchoosers_blog_author:*": _admin(*STAFF, pk=lambda w: w.author),
    "wagtailsnippetchoosers_blog_author:create": _admin(*EDITORS),
    # recognition and the survey
    "challenges:*": _admin(*EDITORS, pk=lambda w: w.challenge),
    # The surprise draws' audit list: moderators and editors.
    "recognition_draws": _admin(*STAFF),
    "survey_dashboard": _admin(*STAFF),
    "wagtailsettings:edit survey.surveysettings": _admin(*EDITORS),
    "wagtailsettings:edit recognition.surprisesettings": _admin(*EDITORS),
    # Wagtail's users screen lists Hearth's members: superusers only
    "wagtailusers_users:*": _admin(*NOBODY, pk=lambda w: w.owner),
}

# Rows for one screen of Wagtail's generic settings route: the setting's own address.
ADMIN_SETTINGS = {
    "wagtailsettings:edit survey.surveysettings": "survey.SurveySettings",
    "wagtailsettings:edit recognition.surprisesettings": "recognition.SurpriseSettings",
}


def _is_hearth_screen(route: Route) -> bool:
    callback = route.pieces[-1].callback
    view = getattr(callback, "view_class", None) or callback
    initkwargs = getattr(callback, "view_initkwargs", None) or {}
    model = initkwargs.get("model") or getattr(view, "model", None)
    model_module = model if isinstance(model, str) else getattr(model, "__module__", "")
    return any(module.startswith(HEARTH_APPS) for module in (view.__module__, model_module))


def _admin_row_for(name: str) -> str | None:
    if name in ADMIN_TABLE:
        return name
    namespace = name.rpartition(":")[0]
    key = f"{namespace}:*"
    return key if namespace and key in ADMIN_TABLE else None


def _hearth_admin_routes() -> dict[str, Route]:
    by_name = {_route_name(route): route for route in _admin_routes()}
    return {
        name: route
        for name, route in by_name.items()
        if _is_hearth_screen(route) or name in ADMIN_TABLE
    }


def test_every_admin_screen_of_hearth_has_a_row():
    routes = _hearth_admin_routes()
    missing = sorted(name for name in routes if _admin_row_for(name) is None)
    assert not missing, f"Hearth admin routes without a row in ADMIN_TABLE: {missing}"
    used = {_admin_row_for(name) for name in routes} | set(ADMIN_SETTINGS)
    stale = sorted(ADMIN_TABLE.keys() - used)
    assert not stale, f"ADMIN_TABLE rows for routes that no longer exist: {stale}"


def build_admin_world() -> World:
    from blog.models import Author
    from community.chat.models import RoomMute
    from community.forum.models import TopicTag
    from community.moderation import actions as moderation
    from community.moderation.models import CannedReason
    from referrals.models import PointsRule, ThankYouTask
    from tests.recognition.factories import make_challenge
    from tests.referrals.factories import make_referral

    world = build_world()
    ana = world.penalty.member
    world.objects.update(
        appeal=moderation.appeal(penalty=world.penalty, member=ana, text="I was quoting."),
        canned_reason=CannedReason.objects.first()
        or CannedReason.objects.create(label="Spam", text="Advertising."),
        held_referral=make_referral(referrer=world.owner, referee=ana, status="held"),
        thank_you=ThankYouTask.objects.create(
            member=world.owner, kind=ThankYouTask.Kind.AWARD, period="2026-01"
        ),
        points_rule=PointsRule.objects.first(),
        tag=TopicTag.objects.get(slug="ovens"),
        mute=RoomMute.objects.create(
            room=world.room, member=ana, until=timezone.now() + timedelta(hours=1)
        ),
        author=Author.objects.create(name="Ada Author"),
        challenge=make_challenge(),
    )
    return world


def _admin_url(world: World, name: str, route: Route | None) -> str:
    if name in ADMIN_SETTINGS:
        from django.apps import apps

        model = apps.get_model(ADMIN_SETTINGS[name])
        meta = model._meta
        return f"/admin/settings/{meta.app_label}/{meta.model_name}/{model.load().pk}/"
    assert route is not None
    row = ADMIN_TABLE[_admin_row_for(name) or name]
    target = row.pk(world) if row.pk is not None else None
    number = str(getattr(target, "pk", 1) or 1)
    return build_url(route, Junk(number=number, text=number, slug=number))


def _admin_answer(world: World, persona: str, url: str, row: AdminRow) -> str:
    cache.clear()
    client = _client(world.users[persona])
    with transaction.atomic():
        response = client.post(url, row.data) if row.method == "POST" else client.get(url)
        transaction.set_rollback(True)
    return answer(response)


@pytest.mark.slow
@pytest.mark.django_db
def test_each_persona_gets_the_admin_answer_in_the_table(settings):
    """Every admin route of Hearth's screens, for each persona, answers as its row says."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_admin_world()
    routes: dict[str, Route | None] = {**_hearth_admin_routes(), **dict.fromkeys(ADMIN_SETTINGS)}
    got: dict[str, dict[str, str]] = {}
    expected: dict[str, dict[str, str]] = {}
    for name, route in routes.items():
        key = _admin_row_for(name) or name
        row = ADMIN_TABLE[key]
        url = _admin_url(world, name, route)
        got[f"{name} {url}"] = {p: _admin_answer(world, p, url, row) for p in PERSONAS}
        expected[f"{name} {url}"] = row.expect
    differences = _mismatches(got, expected)
    assert not differences, differences


# --- the chat socket ---------------------------------------------------------------------

# Frame type -> each persona's answer in a public room, on someone else's message (Sam's):
# ``ok`` (done: the ack or the answer the frame asks for) or the error code it gets.
MEMBERS_FRAME = _expect("forbidden", "ok", "ok", "ok", "ok")
FRAMES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "send": ({"body": "Hello"}, _expect("forbidden", "ok", "ok", "ok", "ok")),
    "edit": (
        {"id": "$message", "body": "Changed"},
        _expect("forbidden", "forbidden", "forbidden", "forbidden", "forbidden"),
    ),
    "delete": (
        {"id": "$message"},
        _expect("forbidden", "forbidden", "forbidden", "ok", "forbidden"),
    ),
    "react": (
        {"id": "$message", "reaction": "heart"},
        _expect("forbidden", "ok", "ok", "ok", "ok"),
    ),
    "typing": ({}, _expect("forbidden", "ok", "ok", "ok", "ok")),
    "history": ({"before": "$message"}, _expect(*ALL)),
    "since": ({"after": 0}, _expect(*ALL)),
    "read": ({"id": "$message"}, _expect("forbidden", "ok", "ok", "ok", "ok")),
    "ping": ({}, _expect(*ALL)),
}


async def _frame_answer(world: World, persona: str, kind: str) -> str:
    fields, _ = FRAMES[kind]
    # A message of Sam's for each persona: one persona's delete must not decide the next's.
    message = await sync_to_async(make_message)(world.room, world.owner)
    frame = {"type": kind, "ref": "r1"}
    for key, value in fields.items():
        frame[key] = message.pk if value == "$message" else value
    comm = communicator(world.room, world.users[persona] or AnonymousUser())
    connected, _ = await comm.connect()
    assert connected
    await receive_until(comm, "ready", timeout=5)
    await comm.send_json_to(frame)
    # A ping after the frame: frames are handled in order, so an error for the first
    # arrives before the presence answer to the ping.
    await comm.send_json_to({"type": "ping"})
    try:
        while True:
            got = await comm.receive_json_from(timeout=5)
            if got["type"] == "error" and got.get("ref") == "r1":
                return got["code"]
            if got["type"] == "presence" and "members" in got:
                return "ok"
    finally:
        await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_each_persona_gets_the_frame_answer_in_the_table():
    world = await sync_to_async(build_world)()
    got = {
        kind: {persona: await _frame_answer(world, persona, kind) for persona in PERSONAS}
        for kind in FRAMES
    }
    differences = _mismatches(got, {kind: expect for kind, (_, expect) in FRAMES.items()})
    assert not differences, differences


# The notification socket (the bell) takes no frames: members get ``read_only`` for any
# frame and the socket stays open; visitors are closed with 4401 after the handshake.
NOTIFICATION_SOCKET = _expect("closed 4401", "read_only", "read_only", "read_only", "read_only")


async def _notification_socket_answer(world: World, persona: str) -> str:
    from channels.testing import WebsocketCommunicator

    from community.consumers import NotificationConsumer
    from tests.sockets import recorded

    comm = recorded(WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/"))
    comm.scope["user"] = world.users[persona] or AnonymousUser()
    connected, _ = await comm.connect()
    assert connected
    try:
        first = await comm.receive_output(timeout=5)
        if first["type"] == "websocket.close":
            return f"closed {first['code']}"
        await comm.send_json_to({"type": "send", "body": "Hello"})
        while True:
            got = await comm.receive_json_from(timeout=5)
            if got["type"] == "error":
                return got["code"]
    finally:
        await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_each_persona_gets_the_notification_socket_answer_in_the_table():
    world = await sync_to_async(build_world)()
    got = {p: await _notification_socket_answer(world, p) for p in PERSONAS}
    differences = _mismatches({"notifications": got}, {"notifications": NOTIFICATION_SOCKET})
    assert not differences, differences


def test_every_frame_type_has_a_row():
    from community.chat.protocol import CLIENT_TYPES

    assert sorted(FRAMES) == sorted(CLIENT_TYPES)


# --- the table in the docs ------------------------------------------------------------------

_DOC_ROW = re.compile(r"^\|\s*`(?P<name>[^`]+)`\s*\|(?P<cells>.*)\|\s*$")


def _documented() -> dict[str, dict[str, str]]:
    rows = {}
    for line in DOCS.read_text().splitlines():
        match = _DOC_ROW.match(line)
        if match:
            cells = [cell.strip() for cell in match["cells"].split("|")]
            rows[match["name"]] = dict(zip(PERSONAS, cells, strict=False))
    return rows


def _expected_in_docs() -> dict[str, dict[str, str]]:
    rows = {f"{row.method} {name}": row.expect for name, row in TABLE.items()}
    rows.update({f"frame {kind}": expect for kind, (_, expect) in FRAMES.items()})
    rows["notification socket, any frame"] = NOTIFICATION_SOCKET
    rows.update({f"admin {name}": row.expect for name, row in ADMIN_TABLE.items()})
    return rows


def test_the_docs_say_what_the_table_says():
    assert _documented() == _expected_in_docs()


def render_docs_table() -> str:
    """The table for docs/permissions.md (``python -m tests.site.test_permission_matrix``)."""
    head = "| request | visitor | new member (TL0) | member | moderator | editor |"
    lines = [head, "|---|---|---|---|---|---|"]
    for name, expect in _expected_in_docs().items():
        lines.append(f"| `{name}` | " + " | ".join(expect[p] for p in PERSONAS) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_docs_table())
