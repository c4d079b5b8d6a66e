"""Forum verbs. Views, the chat's "turn into topic", commands and the demo all call these,
as ``from community.forum import actions; actions.reply(...)``.

Every verb is keyword-only and atomic; notifications, live events, emails and the
cross-app signals (``content_published``, ``content_removed``, ``reaction_added``) go out
only after the transaction commits (``community.live``). A rule that says no raises
:class:`PostingError`, a ``hearth.rules.RuleError`` with a sentence the member can act on.

- ``rules``: who may post, how fast and how much; text cleaning and tags
- ``posting``: start_topic, reply, edit_post, delete_post
- ``responses``: reactions and solutions
- ``reading``: watching and the read position
- ``levels``: notification levels of topics, categories and tags (watching to muted)
- ``emails``: which notifications a member also gets by email
- ``flags``: flag_post, resolve_flags
- ``moderation``: pin, lock, hide, unhide, move
- ``bookmarks``: bookmark, remove_bookmark, send_bookmark_reminders
- ``drafts``: save_draft, discard_draft, draft_for
"""

from __future__ import annotations

from .bookmarks import bookmark, remove_bookmark, send_bookmark_reminders
from .drafts import NEW_TOPIC, discard_draft, draft_for, reply_key, save_draft
from .emails import set_notification_emails
from .flags import FLAGS_TO_HIDE, flag_post, resolve_flags
from .levels import (
    category_level,
    effective_level,
    member_levels,
    set_category_level,
    set_tag_level,
    set_topic_level,
    tag_level,
)
from .moderation import (
    hide_post,
    hide_topic,
    move_topic,
    set_locked,
    set_pinned,
    unhide_post,
    unhide_topic,
)
from .posting import (
    ImageAttachment,
    delete_post,
    edit_post,
    reply,
    start_topic,
    topic_language,
)
from .reading import record_read, set_watching
from .responses import mark_solution, toggle_reaction
from .rules import (
    MAX_IMAGES,
    MAX_MENTIONS,
    MAX_POST_CHARS,
    MAX_TAGS,
    NEW_ACCOUNT_REPLIES,
    NEW_ACCOUNT_TOPICS,
    POST_INTERVAL_SECONDS,
    REASON_MAX,
    TITLE_MAX,
    TITLE_MIN,
    PostingError,
    checked_body,
    checked_reason,
    checked_title,
    normalise_tag_names,
    render_checked,
    resolve_tags,
)

__all__ = [
    "NEW_TOPIC",
    "discard_draft",
    "draft_for",
    "reply_key",
    "save_draft",
    "bookmark",
    "remove_bookmark",
    "send_bookmark_reminders",
    "FLAGS_TO_HIDE",
    "MAX_IMAGES",
    "MAX_MENTIONS",
    "MAX_POST_CHARS",
    "MAX_TAGS",
    "NEW_ACCOUNT_REPLIES",
    "NEW_ACCOUNT_TOPICS",
    "POST_INTERVAL_SECONDS",
    "REASON_MAX",
    "TITLE_MAX",
    "TITLE_MIN",
    "ImageAttachment",
    "PostingError",
    "category_level",
    "checked_body",
    "checked_reason",
    "checked_title",
    "delete_post",
    "edit_post",
    "effective_level",
    "flag_post",
    "hide_post",
    "hide_topic",
    "mark_solution",
    "member_levels",
    "move_topic",
    "normalise_tag_names",
    "record_read",
    "render_checked",
    "reply",
    "resolve_flags",
    "resolve_tags",
    "set_category_level",
    "set_locked",
    "set_notification_emails",
    "set_pinned",
    "set_tag_level",
    "set_topic_level",
    "set_watching",
    "start_topic",
    "topic_language",
    "tag_level",
    "toggle_reaction",
    "unhide_post",
    "unhide_topic",
]
