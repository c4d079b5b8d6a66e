"""A member's own bits of one topic page, read in one round trip.

Everything on a topic page that belongs to the reader alone: how far they have read and
their own notification level for the topic, whether they bookmarked it and which of its
posts, what they were writing in its reply box, their reactions to the posts on the
page, and whether the page holds posts of theirs that a spam signal held (then the
page's rows are read for them rather than kept for every member: topic_rows.py). The
rest of the page is the same for every reader (the posts' markup is kept in the cache,
forum/fragments.py), so this is what a member's page costs beyond a visitor's.

It is one plain SQL statement (a UNION ALL of five small index lookups) rather than five
subqueries compiled into the topic's and the posts' SELECTs: building those through the
ORM took longer than running them (bench/pages/README.md). The same rows, the same
indexes; the tests in tests/forum/test_reader_state.py hold it to the ORM's answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from .models import Bookmark, Draft, Post, Reaction, TopicUser


@dataclass
class ReaderState:
    last_read: int = 0
    level: str = ""
    bookmarked: bool = False  # the topic itself
    draft: str = ""
    bookmarked_posts: set[int] = field(default_factory=set)
    reactions: dict[int, set[str]] = field(default_factory=dict)
    # Whether the page holds posts of theirs a spam signal held (theirs alone to see).
    held_posts: bool = False


def _names() -> dict[str, str]:
    quote = connection.ops.quote_name
    names = {
        "reaction": quote(Reaction._meta.db_table),
        "post": quote(Post._meta.db_table),
        "bookmark": quote(Bookmark._meta.db_table),
        "draft": quote(Draft._meta.db_table),
        "topic_user": quote(TopicUser._meta.db_table),
    }
    for model, attribute in (
        (Reaction, "post"),
        (Reaction, "member"),
        (Reaction, "kind"),
        (Post, "topic"),
        (Post, "number"),
        (Post, "author"),
        (Post, "held_at"),
        (Bookmark, "member"),
        (Bookmark, "topic"),
        (Bookmark, "post"),
        (Draft, "member"),
        (Draft, "topic"),
        (Draft, "body"),
        (TopicUser, "member"),
        (TopicUser, "topic"),
        (TopicUser, "last_read_number"),
        (TopicUser, "level"),
    ):
        column = getattr(model._meta.get_field(attribute), "column", None)
        assert isinstance(column, str), (model, attribute)
        names[f"{model.__name__.lower()}_{attribute}"] = quote(column)
    return names


_SQL: str | None = None


def _sql() -> str:
    global _SQL
    if _SQL is None:
        n = _names()
        _SQL = (
            f"SELECT 'r', r.{n['reaction_post']}, r.{n['reaction_kind']}"
            f" FROM {n['reaction']} r INNER JOIN {n['post']} p ON p.id = r.{n['reaction_post']}"
            f" WHERE r.{n['reaction_member']} = %s AND p.{n['post_topic']} = %s"
            f" AND p.{n['post_number']} BETWEEN %s AND %s"
            f" UNION ALL SELECT 'b', b.{n['bookmark_post']}, ''"
            f" FROM {n['bookmark']} b"
            f" WHERE b.{n['bookmark_member']} = %s AND b.{n['bookmark_topic']} = %s"
            f" UNION ALL SELECT 'd', NULL, d.{n['draft_body']}"
            f" FROM {n['draft']} d"
            f" WHERE d.{n['draft_member']} = %s AND d.{n['draft_topic']} = %s"
            f" UNION ALL SELECT 'u', t.{n['topicuser_last_read_number']}, t.{n['topicuser_level']}"
            f" FROM {n['topic_user']} t"
            f" WHERE t.{n['topicuser_member']} = %s AND t.{n['topicuser_topic']} = %s"
            f" UNION ALL SELECT 'h', NULL, '' FROM {n['post']} h"
            f" WHERE h.{n['post_topic']} = %s AND h.{n['post_number']} BETWEEN %s AND %s"
            f" AND h.{n['post_author']} = %s AND h.{n['post_held_at']} IS NOT NULL"
        )
    return _SQL


def reader_state(*, topic_id: int, member: Any, first: int, last: int) -> ReaderState:
    """``member``'s state on the topic and on its posts numbered ``first`` to ``last``."""
    state = ReaderState()
    member_id = member.pk
    params = [
        *(member_id, topic_id, first, last),
        *([member_id, topic_id] * 3),
        *(topic_id, first, last, member_id),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        rows = cursor.fetchall()
    for what, number, text in rows:
        if what == "r":
            state.reactions.setdefault(number, set()).add(text)
        elif what == "b":
            if number is None:
                state.bookmarked = True
            else:
                state.bookmarked_posts.add(number)
        elif what == "d":
            state.draft = text or ""
        elif what == "h":
            state.held_posts = True
        else:
            state.last_read, state.level = number or 0, text or ""
    return state
