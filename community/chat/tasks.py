"""What follows a chat message, done by the task worker instead of the socket.

Saving a message and showing it to the room is the socket's work; everything the rest
of the community does about it is not: the referral hub's points and activity
(``content_published``), the author's trust level forgotten, a conversation answered.
Those listeners cost about as much as the save itself (some twenty queries a message),
and on the socket's one database thread they made every later message in the process
wait (bench/chat_fanout, "rooms"). So a save queues one task for its messages once it
commits (Zulip sends a message's side effects to queue workers the same way).

With the default immediate backend the task runs at once, after the commit, exactly as
the listeners did; in production the worker (``manage.py db_worker``) runs it a moment
later. A message deleted or hidden before then earns nothing: the task reads only what
is still visible.
"""

from __future__ import annotations

import logging

from django_tasks import task

from community.live import send_signal_after_commit
from community.signals import content_published

logger = logging.getLogger(__name__)


@task()
def after_messages_saved(*, message_ids: list[int]) -> int:
    """Tell the community of these new messages (saved together: one or several
    sockets'); returns how many were still visible."""
    from community.chat.actions import note_conversation
    from community.chat.models import ChatMessage

    messages = list(
        ChatMessage.objects.visible()
        .filter(pk__in=message_ids)
        .select_related("room", "author")
        .order_by("id")
    )
    for message in messages:
        send_signal_after_commit(
            content_published,
            sender=ChatMessage,
            author=message.author,
            obj=message,
            kind="chat",
            container=None,
            place=f"chat.room:{message.room.slug}",
        )
    # A conversation is answered by the first of each member's messages in a room.
    firsts: dict[tuple[int, int], ChatMessage] = {}
    for message in messages:
        firsts.setdefault((message.room_id, message.author_id), message)
    for answer in firsts.values():
        note_conversation(room=answer.room, answer=answer)
    return len(messages)


def queue_after_saved(message_ids: list[int]) -> None:
    """Queue :func:`after_messages_saved`; never raises (the messages are saved and shown
    already; what is lost is logged)."""
    try:
        after_messages_saved.enqueue(message_ids=list(message_ids))
    except Exception:
        logger.exception("chat: could not queue what follows messages %s", message_ids)
