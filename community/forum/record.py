"""The forum's part of a member's record for moderators (community.moderation.record)."""

from __future__ import annotations

from typing import Any

from community.forum.models import Flag, Post
from community.models import User
from community.moderation.record import RecordSection, register

RECENT = 20


def _data(member: User) -> dict[str, Any]:
    return {
        "posts": Post.objects.filter(author=member)
        .select_related("topic")
        .order_by("-created_at")[:RECENT],
        "flags_given": Flag.objects.filter(flagger=member)
        .select_related("post__topic", "post__author")
        .order_by("-created_at")[:RECENT],
        "flags_received": Flag.objects.filter(post__author=member)
        .select_related("post__topic", "flagger")
        .order_by("-created_at")[:RECENT],
    }


def register_section() -> None:
    register(RecordSection("forum", "forum/admin/_member_record.html", _data, order=10))
