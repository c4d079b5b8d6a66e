"""@mentions, shared by forum posts and chat messages."""

from __future__ import annotations

import re

from community.models import User

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
