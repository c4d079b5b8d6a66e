"""Chat messages are plain text: escaped first, then bare links become clickable."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# http(s) links up to whitespace or an angle bracket; trailing punctuation stays text.
# static/js/chat.js uses the same pattern so server and browser render alike.
LINK_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def clean_body(body: str) -> str:
    """Normalise newlines, drop control characters (NUL breaks PostgreSQL), trim."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    body = "".join(
        ch for ch in body if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return body.strip()


def _split_trailing(url: str) -> tuple[str, str]:
    end = len(url)
    while end > 0 and url[end - 1] in _TRAILING:
        # Keep a closing parenthesis that balances one inside the link (Wikipedia).
        if url[end - 1] == ")" and url[:end].count("(") >= url[:end].count(")"):
            break
        end -= 1
    return url[:end], url[end:]


def linkify(body: str) -> SafeString:
    parts: list[str] = []
    position = 0
    for match in LINK_RE.finditer(body):
        url, trailing = _split_trailing(match.group(0))
        parts.append(escape(body[position : match.start()]))
        if url.lower() in ("http://", "https://"):
            parts.append(escape(url))
        else:
            href = escape(url)
            parts.append(f'<a href="{href}" rel="nofollow ugc noopener" target="_blank">{href}</a>')
        parts.append(escape(trailing))
        position = match.end()
    parts.append(escape(body[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
