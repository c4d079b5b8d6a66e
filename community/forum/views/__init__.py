"""Forum pages (urls.py names them as ``views.<name>``). Each view has the same shape:
who may (the models' visibility rule, login_required, moderator_required) → form →
action → redirect or partial; a refusal (hearth.rules.RuleError) becomes a form error or
a flash message. What a page shows is assembled in ``pages.py``."""

from __future__ import annotations

from .bookmarks import bookmark_post, bookmark_topic, bookmarks
from .moderation import flag, flag_queue, moderate_post, moderate_topic, resolve_flags
from .posting import delete_post, edit_post, new_topic, reply
from .reading import (
    category,
    index,
    post_history,
    post_permalink,
    quote,
    tag,
    tags,
    topic,
    topic_list,
)
from .responses import react, solution, watch
from .writing import preview, save_draft

__all__ = [
    "bookmark_post",
    "bookmark_topic",
    "bookmarks",
    "category",
    "delete_post",
    "edit_post",
    "flag",
    "flag_queue",
    "index",
    "moderate_post",
    "moderate_topic",
    "new_topic",
    "post_history",
    "post_permalink",
    "preview",
    "quote",
    "react",
    "reply",
    "resolve_flags",
    "save_draft",
    "solution",
    "tag",
    "tags",
    "topic",
    "topic_list",
    "watch",
]
