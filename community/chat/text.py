"""Chat messages are plain text: cleaned like all member text, shown escaped with links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from community.mentions import plain_text_html
from community.models import User
from community.trust import may_post_links


def body_html(
    body: str, *, author: Any = None, members: Mapping[str, User] | None = None
) -> SafeString:
    """A message body as HTML: escaped, @mentions and links as the forum shows them,
    line breaks as <br>.

    The one rendering of a message body: the room page, and the ``html`` of the frames
    the socket sends (chat.js puts it in place instead of rendering text itself). A new
    member's links (trust level 0, ``community.trust``) stay text, not anchors; their
    mentions stay links, as in a forum post. ``members``: the mentioned members looked
    up once for many bodies (``community.mentions.members_mentioned_in``).
    """
    links = author is None or may_post_links(author)
    html = str(plain_text_html(body or "", links=links, members=members))
    return mark_safe(html.replace("\n", "<br>"))  # escaped above
