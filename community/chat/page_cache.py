"""A chat room's page kept whole for visitors, by hearth.kept_pages' rules (those of the
forum's kept pages, community/forum/page_cache.py).

Every visitor of a public room sees the same page: its newest messages, their reactions,
the authors' names. The first visitor's rendering is kept and the next ones get it
without touching the database. A kept page is found under a key that carries two
*generations*, the chat's and the room's; whatever changes what a visitor could see
retires one of them, now and again after the transaction commits, so the next visitor
gets a fresh page at once:

- the room's generation: a message sent (one or a burst), edited or deleted, a reaction
  given or taken back (model signals; a burst, saved in bulk without them, retires it
  itself: ``actions._save_messages``);
- the chat's generation: a room changed or deleted (its name, who may read it, its
  address), a member saved with a new name, address or link level (``trust``), or gone.

The page shows dates, not "3 minutes ago", so it stays until something changes (a
minute in one process's memory). How a member's earned level (links as anchors or as
text) shows is at most as old as community.trust's own cache of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

from community import trust
from community.forum.page_cache import SHOWN_OF_A_MEMBER
from hearth import kept_pages

CHAT = "chat:page-gen"
# Links in a member's messages are anchors or text by their level.
SHOWN_OF_AN_AUTHOR = SHOWN_OF_A_MEMBER | {"trust_level_granted"}
TIMEOUT = trust.CACHE_SECONDS


def _room_generation(slug: str) -> str:
    # By address, not id: the view looks the page up before it reads the room.
    return f"chat:page-gen:room:{slug}"


def bump(slug: str | None = None) -> None:
    """Retire the kept page of one room (or, with no room, of every room)."""
    keys = [CHAT] if slug is None else [_room_generation(slug)]
    kept_pages.retire(keys, what=", ".join(keys))


def bump_rooms(slugs: list[str]) -> None:
    """Retire the kept pages of these rooms at once (one write to the cache)."""
    if slugs:
        keys = [_room_generation(slug) for slug in slugs]
        kept_pages.retire(keys, what=", ".join(keys))


def served(request: HttpRequest, slug: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The kept page of the room for a visitor if there is one, else ``render()``, kept
    for the next visitors when it may be. Only the plain address: an earlier page
    (``?before=``) is rendered each time."""
    return kept_pages.served(
        request,
        lambda: kept_pages.page_key("chat:page", [CHAT, _room_generation(slug)], request),
        render,
        timeout=TIMEOUT,
        parameters=(),
    )


# --- what retires kept pages ----------------------------------------------------------


def _slug_of(room_id: int | None, instance: Any = None) -> str | None:
    """The address of a changed row's room, from the row when it holds it."""
    if room_id is None:
        return None
    room = instance._state.fields_cache.get("room") if instance is not None else None
    if room is not None and room.pk == room_id:
        return room.slug
    from community.chat.models import Room

    return Room.objects.filter(pk=room_id).values_list("slug", flat=True).first()


def _bump_room(room_id: int | None, instance: Any = None) -> None:
    slug = _slug_of(room_id, instance)
    if slug is None:  # the room is gone: every page, to be sure
        bump()
    else:
        bump(slug)


def _on_message_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    _bump_room(instance.room_id, instance)


def _on_reaction_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    message = instance._state.fields_cache.get("message")
    if message is not None:
        _bump_room(message.room_id, message)
        return
    from community.chat.models import ChatMessage

    room_id = (
        ChatMessage.objects.filter(pk=instance.message_id).values_list("room_id", flat=True).first()
    )
    _bump_room(room_id)


def _on_chat_change(sender: Any, **kwargs: Any) -> None:
    bump()


def _on_member_change(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is None or SHOWN_OF_AN_AUTHOR & set(update_fields):
        bump()


def connect() -> None:
    from django.contrib.auth import get_user_model

    from community.chat.models import ChatMessage, ChatReaction, Room

    for signal in (post_save, post_delete):
        signal.connect(
            _on_message_change, sender=ChatMessage, dispatch_uid=f"chat-page-message-{signal}"
        )
        signal.connect(
            _on_reaction_change, sender=ChatReaction, dispatch_uid=f"chat-page-reaction-{signal}"
        )
        signal.connect(_on_chat_change, sender=Room, dispatch_uid=f"chat-page-room-{signal}")
    post_save.connect(_on_member_change, sender=get_user_model(), dispatch_uid="chat-page-member")
    post_delete.connect(_on_chat_change, sender=get_user_model(), dispatch_uid="chat-page-gone")
