"""The messages of a room's page, rendered once and kept in the cache (the forum's way,
community/forum/fragments.py).

A message is drawn by chat/_message.html from a dict of plain values: what it says, its
author's name and address, its reactions and the reader's own, whether the reader wrote
it, may edit or delete it, may react (may send here) or moderates. A fragment's cache key
is a hash of that dict plus the templates' source and the active language and time zone,
so a kept fragment is never stale: an edit, a deletion, a reaction, an author's new name,
the edit window closing, a reader who is muted or a moderator — any change that shows
changes a value, hence the key, and the message is rendered afresh. Nothing has to be
invalidated. Readers in the same position share fragments: most messages look the same
to every member who did not write them or react to them.

The forms' CSRF token stays out of the cache: a placeholder is replaced per request.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.middleware.csrf import get_token
from django.template import loader
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hearth import kept_pages
from hearth.i18n import reader_locale

TEMPLATE = "chat/_message.html"
TEMPLATES = (TEMPLATE, "chat/_reaction_button.html", "chat/_reaction_icon.html")
# Stands for the request's CSRF token in a kept fragment; never reaches a browser.
CSRF_MARK = "__hearth_csrf_token__"
# A fragment unused this long drops out; a changed message simply gets a new key.
TIMEOUT = 7 * 24 * 3600

_version: str | None = None


def _template_version() -> str:
    """A hash of the templates' source: a deploy that changes them renders anew."""
    global _version
    if _version is None:
        parts = []
        for name in TEMPLATES:
            template: Any = loader.get_template(name)  # the Django backend's wrapper
            parts.append(template.template.source.encode())
        _version = hashlib.sha256(b"\0".join(parts)).hexdigest()[:12]
    return _version


def _key(values: dict[str, Any]) -> str:
    where = reader_locale()
    # The dicts are built by message_values, always in the same order.
    digest = hashlib.blake2b(repr((where, values)).encode(), digest_size=16)
    return f"chat:message:{_template_version()}:{digest.hexdigest()}"


def message_values(
    message: Any, *, reader_id: int | None, room_slug: str, moderator: bool, can_send: bool
) -> dict[str, Any]:
    """Everything chat/_message.html shows of ``message`` to this reader, as plain values
    (``message``: a ChatMessage the room page prepared, or the blank template copy)."""
    author = message.author
    url = author.get_absolute_url  # a method, or "" on the blank template copy
    return {
        "pk": message.pk,
        "author_id": message.author_id,
        "author": {
            "username": author.username,
            "name": author.name,
            "get_absolute_url": url() if callable(url) else url,
        },
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "html": message.html,
        "mine": reader_id is not None and message.author_id == reader_id,
        "editable": message.editable,
        "deletable": message.deletable,
        "reaction_list": tuple(message.reaction_list),
        "reactions_unused": message.reactions_unused,
        # What the page around it decides: the room's address, and the reader's place.
        "room_slug": room_slug,
        "moderator": moderator,
        "can_send": can_send,
    }


def render_messages(request: Any, many: list[dict[str, Any]]) -> list[SafeString]:
    """Each message's ``<li>``, from the cache where it is, rendered (and kept) where not."""
    compiled = loader.get_template(TEMPLATE)

    def render(index: int) -> str:
        values = many[index]
        return compiled.render(
            {
                "message": values,
                "room": {"slug": values["room_slug"]},
                "is_moderator": values["moderator"],
                "form": values["can_send"],
                "csrf_token": CSRF_MARK,
            }
        )

    out = kept_pages.kept_fragments([_key(values) for values in many], render, TIMEOUT)
    token = escape(get_token(request)) if any(CSRF_MARK in html for html in out) else ""
    return [mark_safe(html.replace(CSRF_MARK, token)) for html in out]  # noqa: S308
