"""Factories for chat tests: rooms and messages saved directly (no broadcast)."""

from __future__ import annotations

import itertools

from community.chat.models import ChatMessage, Room

_counter = itertools.count(1)


def make_room(**overrides) -> Room:
    n = next(_counter)
    overrides.setdefault("slug", f"room-{n}")
    overrides.setdefault("name", f"Room {n}")
    return Room.objects.create(**overrides)


def make_members_room(**overrides) -> Room:
    return make_room(visibility=Room.Visibility.MEMBERS, **overrides)


def make_message(room: Room, author, body: str = "Hello there", **overrides) -> ChatMessage:
    return ChatMessage.objects.create(room=room, author=author, body=body, **overrides)
