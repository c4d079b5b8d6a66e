"""Chat messages are plain text: cleaned like all member text, shown escaped with links."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from community.trust import may_post_links
from hearth.text import linkify_plain


def body_html(body: str, *, author: Any = None) -> SafeString:
    """A message body as HTML: escaped, links as anchors, line breaks as <br>.

    The one rendering of a message body: the room page, and the ``html`` of the frames
    the socket sends (chat.js puts it in place instead of rendering text itself). A new
    member's links (trust level 0, ``community.trust``) stay text, not anchors.
    """
    text = body or ""
    html = str(linkify_plain(text)) if author is None or may_post_links(author) else escape(text)
    return mark_safe(html.replace("\n", "<br>"))  # escaped above
