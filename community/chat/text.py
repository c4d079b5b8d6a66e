"""Chat messages are plain text: cleaned like all member text, shown escaped with links."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from hearth.text import linkify_plain


def body_html(body: str) -> SafeString:
    """A message body as HTML: escaped, links as anchors, line breaks as <br>.

    The one rendering of a message body: the room page, and the ``html`` of the frames
    the socket sends (chat.js puts it in place instead of rendering text itself).
    """
    return mark_safe(str(linkify_plain(body or "")).replace("\n", "<br>"))  # escaped above
