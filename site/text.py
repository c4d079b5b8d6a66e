"""Text that members type: one cleaner and one linkifier for the forum, chat and guides.

- :func:`clean_text` drops what no one means to type and what breaks storage or layout:
  control characters (NUL breaks PostgreSQL), lone surrogates, zero-width characters
  and bidirectional overrides (which make a link or a name read backwards); it keeps
  newlines and tabs in multi-line text, normalises line endings and trims.
- :func:`clean_line` does the same for a one-line value (a title, a tag, a name) and
  folds runs of whitespace into one space.
- :data:`linkifier` finds links in plain text (linkify-it-py, the maintained port of
  markdown-it's own linkifier, which the forum's Markdown uses too): ``http(s)://``
  addresses only, never a bare "example.com", so a sentence with "e.g." stays text.
  :func:`linkify_plain` escapes text and turns those links into anchors.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from linkify_it import LinkifyIt

LINK_REL = "nofollow ugc noopener"

# Zero-width characters and bidirectional controls (LRE…RLO, LRI…PDI, LRM/RLM).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Control characters and lone surrogates.
_DROP = ("Cc", "Cs")


def clean_text(text: str | None, *, multiline: bool = True) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in _DROP)
    return text.strip()


def clean_line(text: str | None) -> str:
    return " ".join(clean_text(text, multiline=False).split())


def _linkifier() -> LinkifyIt:
    # http(s) only: linkify-it also knows mailto:, ftp: and protocol-relative "//host".
    return LinkifyIt(
        schemas={"mailto:": None, "ftp:": None, "//": None},
        options={"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False},
    )


linkifier = _linkifier()


def links_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) of every link in ``text``."""
    return [(m.index, m.last_index, m.url) for m in linkifier.match(text) or []]


def linkify_plain(text: str) -> SafeString:
    """Plain text as HTML: escaped, with its links as anchors (rel="nofollow ugc noopener")."""
    parts: list[str] = []
    position = 0
    for start, end, url in links_in(text):
        parts.append(escape(text[position:start]))
        parts.append(
            f'<a href="{escape(url)}" rel="{LINK_REL}" target="_blank">'
            f"{escape(text[start:end])}</a>"
        )
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every piece above is escaped
