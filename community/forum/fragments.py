"""The posts of a topic page, rendered once and kept in the cache.

Each post is drawn from two fragments:

- the **core** (author, badge, date, body or placeholder), the same for every reader of
  one kind (a moderator also sees why a post is hidden);
- the **actions** (reaction buttons and the post's tools), the same for every reader in
  the same position (their own reactions, whether they may edit, reply, moderate).

Both templates see nothing but a dict of plain values, and a fragment's cache key is a
hash of that dict (plus the templates' own source and the active language and time
zone). So a cached fragment can never be stale: an edit, a reaction, hiding, deleting,
a solution, an author's new name, avatar or badge, a moderator instead of a member —
any change that shows on the page changes a value, hence the key, and the page renders
the post afresh. Nothing has to be "invalidated", and nothing can be forgotten.

The per-request bits stay out of the cache: the unread marker and the "New" badge are
put in around the core, and the forms' CSRF token replaces a placeholder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

from community import trust
from community.badges import BadgeLabel
from community.models import REACTIONS
from hearth import kept_pages
from hearth.i18n import reader_locale

from .forms import REMINDER_CHOICES, ReplyForm
from .models import Post, Topic

CORE_TEMPLATE = "forum/_post_core.html"
ACTIONS_TEMPLATE = "forum/_post_actions.html"
REACTIONS_TEMPLATE = "forum/_reactions.html"
# Where the "New" badge goes inside the core's meta line (templates cannot write it).
NEW_MARK = "<!--new-->"
# Stands for the request's CSRF token in a cached fragment; never reaches a browser.
CSRF_MARK = "__hearth_csrf_token__"
# The reminders a post's bookmark control offers (a chosen time is set on /bookmarks/).
QUICK_REMINDERS = tuple((value, text) for value, text in REMINDER_CHOICES if value != "at")
# A fragment unused this long drops out; a changed post simply gets a new key.
TIMEOUT = 7 * 24 * 3600


def _template_version() -> str:
    """A hash of the fragment templates' source: a deploy that changes them renders anew."""
    parts = []
    for name in (
        CORE_TEMPLATE,
        ACTIONS_TEMPLATE,
        REACTIONS_TEMPLATE,
        "forum/_reaction_button.html",
        "forum/_bookmark.html",
        "community/_avatar.html",
        "_form_fields.html",
    ):
        template: Any = loader.get_template(name)  # the Django backend's wrapper
        parts.append(template.template.source.encode())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:12]


_version: str | None = None


def _key(kind: str, values: dict[str, Any]) -> str:
    global _version
    if _version is None:
        _version = _template_version()
    where = reader_locale()
    # The dicts are built by this module's functions, always in the same order.
    digest = hashlib.blake2b(repr((where, values)).encode(), digest_size=16)
    return f"forum:post:{kind}:{_version}:{digest.hexdigest()}"


def _badge(label: BadgeLabel | None) -> dict[str, str] | None:
    if label is None:
        return None
    return {
        "name": label.name,
        "tier": label.tier,
        "tier_label": label.tier_label,
        "url": label.url,
    }


def core_values(post: Post, *, badge: BadgeLabel | None, moderator: bool) -> dict[str, Any]:
    """Everything the core fragment shows, as plain values."""
    author = post.author
    shown = bool(getattr(post, "shown", post.is_visible))
    return {
        "pk": post.pk,
        "number": post.number,
        "author": None
        if author is None
        else {
            # The shape community/_avatar.html reads from a member.
            "name": author.name,
            "username": author.username,
            "avatar": {"url": author.avatar.url} if author.avatar else None,
        },
        "badge": _badge(badge),
        "created_at": post.created_at,
        "edited_at": post.edited_at if shown else None,
        "solution": post.is_solution and post.is_visible,
        "deleted": post.deleted_at is not None,
        "shown": shown,
        "hidden_by_flags": post.hidden_by_flags,
        # Only a moderator reads a hidden post's words and why it was hidden.
        "hidden_reason": post.hidden_reason if post.hidden and shown and moderator else None,
        "html": post.html if shown and post.deleted_at is None else "",
        # The topic's language, for the body's lang attribute (screen readers).
        "language": post.topic.language,
        # Held by a spam signal: only its author and moderators are ever shown it.
        "held_reason": post.held_reason if post.held_at else None,
        "held_review": moderator and post.held_at is not None,
        "reply_to": _answered(post),
        "answers": getattr(post, "answers_count", 0) if shown else 0,
    }


def _answered(post: Post) -> dict[str, Any] | None:
    """The post this one answers, as the core shows it ("in reply to @maya ↑")."""
    if post.reply_to_id is None:
        return None
    answered = post.reply_to
    author = answered.author if answered is not None else None
    return {
        "pk": post.reply_to_id,
        "number": answered.number if answered is not None else 0,
        "username": author.username if author is not None else "",
    }


def reactions_values(post: Post, *, member: Any, mine: Iterable[str]) -> dict[str, Any]:
    counts = post.reaction_counts or {}
    given = set(mine)
    buttons = tuple(
        (key, emoji, label, int(counts.get(key, 0)), key in given)
        for key, emoji, label in REACTIONS
    )
    return {
        "pk": post.pk,
        "may_react": member is not None and post.author_id != member.pk,
        "buttons": buttons,
        "unused": any(not count and not mine for _, _, _, count, mine in buttons),
    }


def actions_values(
    post: Post, *, topic: Topic, member: Any, mine: Iterable[str], tools: dict[str, bool]
) -> dict[str, Any]:
    """What the reactions and the post's tools show to this reader, as plain values."""
    shown = bool(getattr(post, "shown", post.is_visible))
    values: dict[str, Any] = {
        "pk": post.pk,
        "topic_pk": topic.pk,
        "present": shown and post.deleted_at is None,
        "reactions": reactions_values(post, member=member, mine=mine),
        "member": member is not None,
    }
    if member is not None:
        values |= {
            "may_reply": tools["may_reply"],
            "may_mark": tools["may_mark_solution"] and not post.is_opening and post.is_visible,
            "solution": post.is_solution,
            "may_edit": post.may_edit(member),
            "may_delete": post.may_delete(member),
            "may_flag": post.author_id != member.pk,
            "moderator": tools["moderator"],
            "hidden": post.hidden,
            "bookmarked": bool(getattr(post, "bookmarked", False)),
            "label": f"post #{post.number}",
            "reminders": QUICK_REMINDERS,
        }
    return values


def _render_many(kind: str, template: str, many: list[dict[str, Any]]) -> list[str]:
    """Each dict's fragment: from the cache where it is, rendered (and kept) where not."""
    compiled = loader.get_template(template)
    return kept_pages.kept_fragments(
        [_key(kind, values) for values in many],
        lambda index: compiled.render({"f": many[index], "csrf_mark": CSRF_MARK}),
        TIMEOUT,
    )


def render_posts(
    request: Any,
    posts: list[Post],
    *,
    topic: Topic,
    member: Any,
    moderator: bool,
    badges: dict[int, BadgeLabel],
    tools: dict[str, bool],
) -> list[SafeString]:
    """The page's posts as HTML list items, in order."""
    cores = _render_many(
        "core",
        CORE_TEMPLATE,
        [
            core_values(post, badge=badges.get(post.author_id or 0), moderator=moderator)
            for post in posts
        ],
    )
    actions = _render_many(
        "actions",
        ACTIONS_TEMPLATE,
        [
            actions_values(post, topic=topic, member=member, mine=post.mine, tools=tools)
            for post in posts
        ],
    )
    token = get_token(request) if member is not None else ""
    # Translators: the marker on a post the reader has not read yet.
    new = f' <span class="badge badge--unread">{escape(pgettext("post", "New"))}</span>'
    items = []
    for post, core, action in zip(posts, cores, actions, strict=True):
        classes = "post"
        if post.is_unread:
            classes += " is-unread"
        if post.is_solution:
            classes += " is-solution"
        if post.held_at is not None:
            classes += " is-held"
        elif not post.is_visible:
            classes += " is-hidden"
        items.append(
            f'<li class="post-list__item"><article id="post-{post.number}" class="{classes}" '
            f'aria-labelledby="post-{post.number}-heading">'
            + core.replace(NEW_MARK, new if post.is_unread else "", 1)
            + (action.replace(CSRF_MARK, escape(token)) if token else action)
            + "</article></li>"
        )
    return [mark_safe(item) for item in items]  # noqa: S308 (rendered by the templates)


def reply_fields(member: Any) -> SafeString:
    """The topic page's empty reply form fields: the same for every member who may (or
    may not) attach images, so rendered once per kind."""
    locked = not trust.may_attach_images(member)
    # The form's own fields are part of the key: a deploy that changes them (one image
    # field become several) must not keep serving the old box from a shared cache.
    fields = tuple(
        (name, type(field).__name__, type(field.widget).__name__)
        for name, field in ReplyForm.base_fields.items()
    )
    key = _key("reply", {"images_locked": locked, "fields": fields})
    html = cache.get(key)
    if html is None:
        form = ReplyForm(member=member)
        html = loader.get_template("_form_fields.html").render({"form": form})
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 (rendered by the template)


def render_reactions(request: Any, post: Post, *, mine: Iterable[str], error: str = "") -> str:
    """One post's reactions after the reader toggled one (the htmx answer)."""
    member = request.user if request.user.is_authenticated else None
    values = reactions_values(post, member=member, mine=mine) | {"error": error}
    html = loader.get_template(REACTIONS_TEMPLATE).render({"r": values, "csrf_mark": CSRF_MARK})
    return html.replace(CSRF_MARK, escape(get_token(request)))
