"""@mentions, shared by forum posts and chat messages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from community.models import User
from hearth.text import LINK_REL, linkify_plain, links_in

# @ at the start or after a non-word character, then a username (see validators.py).
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{3,30})\b")


def mentioned_usernames(text: str) -> list[str]:
    """Usernames mentioned in ``text``, in order of first appearance, without repeats."""
    seen: dict[str, str] = {}
    for match in MENTION_RE.finditer(text):
        seen.setdefault(match.group(1).lower(), match.group(1))
    return list(seen.values())


def mentioned_members(text: str, *, limit: int | None = None) -> list[User]:
    """Active members mentioned in ``text`` (at most ``limit`` names are looked up)."""
    names = mentioned_usernames(text)
    if limit is not None:
        names = names[:limit]
    if not names:
        return []
    by_name = {
        user.username.lower(): user
        for user in User.objects.filter(is_active=True).filter(
            username__iregex=r"^(" + "|".join(re.escape(n) for n in names) + r")$"
        )
    }
    return [by_name[n.lower()] for n in names if n.lower() in by_name]


def members_mentioned_in(texts: Iterable[str], *, limit: int = 50) -> dict[str, User]:
    """The active members mentioned anywhere in ``texts``, by lower-cased username: one
    query for a whole page of messages (at most ``limit`` names are looked up)."""
    names: dict[str, str] = {}
    for text in texts:
        for name in mentioned_usernames(text):
            names.setdefault(name.lower(), name)
    lookup = " ".join(f"@{name}" for name in list(names.values())[:limit])
    return {member.username.lower(): member for member in mentioned_members(lookup)}


def mention_link(member: User) -> SafeString:
    """A mention as the forum's Markdown renders it (community.forum.markup)."""
    return format_html(
        '<a href="{}" class="mention" rel="{}">@{}</a>',
        member.get_absolute_url(),
        LINK_REL,
        member.username,
    )


def plain_text_html(
    text: str, *, links: bool = True, members: Mapping[str, User] | None = None
) -> SafeString:
    """Plain text (a chat message) as HTML, with the forum's rules: escaped, @mentions of
    real members as links to their profiles, and web addresses as anchors
    (hearth.text.linkify_plain) unless ``links`` is off (a new member's text: the
    address stays words, mentions stay links, as in a post). An @name inside an address
    is part of the address. ``members`` (from :func:`members_mentioned_in`) saves the
    lookup when a page renders many texts."""
    if members is None:
        members = members_mentioned_in([text])
    render = linkify_plain if links else escape
    spans = [(start, end) for start, end, _ in links_in(text)] if members else []
    parts: list[str] = []
    cursor = 0
    for match in MENTION_RE.finditer(text) if members else ():
        member = members.get(match.group(1).lower())
        inside_link = any(start < match.end() and match.start() < end for start, end in spans)
        if member is None or inside_link:
            continue
        parts.append(str(render(text[cursor : match.start()])))
        parts.append(str(mention_link(member)))
        cursor = match.end()
    parts.append(str(render(text[cursor:])))
    return mark_safe("".join(parts))  # every piece is escaped or built by format_html
