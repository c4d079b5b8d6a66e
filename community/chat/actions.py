"""Chat verbs, shared by the socket, the plain-form fallback, commands and the bench.

Each one checks who may do it, writes, and sends the live frame to the room only after
the transaction commits. The cross-app signals are sent after commit
(community.live.send_signal_after_commit): a failing listener (the referral hub) is
logged and never undoes or hides a message that is already saved and broadcast. What
follows a new message (points, referral activity, a conversation answered) is a task
(community.chat.tasks), so the socket's database thread only saves and announces. Frames
go out (community.live.send_to_group) already encoded, so every server process forwards
the same text to its sockets (see fanout.py).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from community import trust
from community.actions import ModerationError, check_may_penalise, notify
from community.chat import limits, page_cache, tasks
from community.chat.fanout import FRAME_EVENT
from community.chat.models import (
    EDIT_WINDOW_SECONDS,
    MESSAGE_MAX_LENGTH,
    ChatMessage,
    ChatReaction,
    ReadState,
    Room,
    RoomMute,
    room_group,
)
from community.chat.protocol import encode
from community.chat.text import body_html
from community.forum.actions import start_topic
from community.forum.markup import escape_markdown
from community.live import send_signal_after_commit, send_to_group
from community.mentions import members_mentioned_in, mentioned_members
from community.models import REACTION_KEYS, User, with_group_names
from community.moderation.actions import record_lift, record_penalty
from community.moderation.models import CannedReason, Penalty
from community.signals import (
    content_removed,
    reaction_added,
    warm_action,
    warm_action_undone,
)
from hearth.commit import after_commit
from hearth.rules import RuleError
from hearth.text import clean_text

logger = logging.getLogger(__name__)

MUTE_MAX_MINUTES = 60 * 24 * 30

# A message starts a conversation when the room had been quiet for QUIET_BEFORE before
# it; it counts once someone else answers in the room within ANSWER_WITHIN of it. Its
# author is recognised once per starting message, with the first answerer as the actor.
QUIET_BEFORE = timedelta(minutes=30)
ANSWER_WITHIN = timedelta(minutes=10)


class ChatError(RuleError):
    """A chat rule said no (hearth.rules.RuleError: ``message``, ``code``, ``retry_after``)."""


# --- frames ---------------------------------------------------------------------------


def author_payload(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "url": user.get_absolute_url(),
    }


def message_payload(
    message: ChatMessage,
    *,
    reactions: dict[str, int] | None = None,
    members: Mapping[str, User] | None = None,
) -> dict:
    """A message as frames carry it; ``members``: its mentions looked up in advance
    (``members_mentioned_in``) when many messages are sent at once."""
    return {
        "id": message.pk,
        "author": author_payload(message.author),
        "body": message.body,
        "html": str(body_html(message.body, author=message.author, members=members)),
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "reactions": reactions or {},
    }


def reaction_counts(message_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    rows = (
        ChatReaction.objects.filter(message_id__in=list(message_ids))
        .values("message_id", "kind")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts.setdefault(row["message_id"], {})[row["kind"]] = row["n"]
    return counts


def broadcast(room: Room, frame: dict[str, Any], *, message_id: int | None = None) -> None:
    """Send ``frame`` to everyone in the room once the current transaction commits."""
    send_to_group(
        room_group(room.pk), {"type": FRAME_EVENT, "frame": encode(frame), "id": message_id}
    )


def broadcast_messages(room: Room, messages: list[ChatMessage]) -> None:
    """New messages as one layer event (one frame each, in id order) after commit."""
    members = members_mentioned_in(m.body for m in messages)
    frames = [
        [encode({"type": "message", "message": message_payload(m, members=members)}), m.pk]
        for m in messages
    ]
    if len(frames) == 1:
        event = {"type": FRAME_EVENT, "frame": frames[0][0], "id": frames[0][1]}
    else:
        event = {"type": FRAME_EVENT, "frames": frames}
    send_to_group(room_group(room.pk), event)


# --- sending --------------------------------------------------------------------------


def _validated_body(body: str) -> str:
    body = clean_text(body)
    if not body:
        raise ChatError(_("Write something first: a message cannot be empty."), code="invalid")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ChatError(
            _("A message can be at most %(max)s characters (this one has %(length)s).")
            % {
                "max": number_format(MESSAGE_MAX_LENGTH, force_grouping=True),
                "length": number_format(len(body), force_grouping=True),
            },
            code="invalid",
        )
    return body


def _refuse_if_cannot_send(room: Room, member: User, *, muted: bool | None = None) -> None:
    """``muted``: whether the member is muted in the room, when the caller knows."""
    refusal = room.send_refusal(member, muted=muted)
    if refusal:
        code = "archived" if room.archived else "forbidden"
        if member.is_authenticated and member.is_silenced:
            code = "silenced"
        elif room.mutes.active().filter(member=member).exists():
            code = "muted"
        raise ChatError(refusal, code=code)


@transaction.atomic
def _silence_flooder(member: User) -> None:
    until = timezone.now() + limits.SILENCE_FOR
    if member.silenced_until is None or member.silenced_until < until:
        member.silenced_until = until
        member.save(update_fields=["silenced_until"])
        record_penalty(
            member=member,
            kind=Penalty.Kind.SILENCE,
            moderator=None,
            ends_at=until,
            reason="You sent chat messages faster than the limit, again and again.",
        )
    log(
        instance=member,
        action="hearth.chat.auto_silence",
        user=None,
        data={"minutes": int(limits.SILENCE_FOR.total_seconds() // 60)},
    )


def _check_flood(member: User) -> None:
    if member.is_moderator:  # moderators are exempt, as in the forum
        return
    wait = limits.take_token(member)
    if wait is None:
        return
    strikes = limits.add_strike(member.pk)
    if strikes >= limits.STRIKES_TO_SILENCE:
        _silence_flooder(member)
        limits.reset(member.pk)
        raise ChatError(
            _(
                "You kept sending messages faster than the limit, so you are silenced for "
                "30 minutes."
            ),
            code="silenced",
        )
    seconds = max(1, math.ceil(wait))
    raise ChatError(
        ngettext(
            "You are sending messages too fast. You can send again in %(seconds)d second.",
            "You are sending messages too fast. You can send again in %(seconds)d seconds.",
            seconds,
        )
        % {"seconds": seconds},
        code="rate_limited",
        retry_after=seconds,
    )


def send_message(*, room: Room, author: User, body: str, client_ref: str = "") -> ChatMessage:
    """Save a message and broadcast it after commit; raises ChatError when refused.

    With a ``client_ref`` (the plain form's), sending again returns the message saved
    the first time instead of a second copy: a retry after an error page, a double click.
    """
    if client_ref:
        earlier = _sent_before(author, client_ref)
        if earlier is not None:
            return earlier
    try:
        (result,) = send_messages(room=room, author=author, bodies=[body], client_ref=client_ref)
    except IntegrityError:  # the same form, sent twice at the same moment
        earlier = _sent_before(author, client_ref)
        if earlier is None:
            raise
        return earlier
    if isinstance(result, ChatError):
        raise result
    return result


def _sent_before(author: User, client_ref: str) -> ChatMessage | None:
    return (
        ChatMessage.objects.select_related("room")
        .filter(author=author, client_ref=client_ref)
        .first()
    )


def send_messages(
    *, room: Room, author: User, bodies: list[str], client_ref: str = ""
) -> list[ChatMessage | ChatError]:
    """Save several messages from one member, in order; per body the message or why not.

    The socket hands over every send frame that queued up while the previous save ran,
    so a burst costs one transaction instead of one per message. Each message is still
    validated and counted against the flood limit on its own.

    Not atomic as a whole on purpose: a flood strike that silences the member must
    stick even though the message itself is refused.
    """
    results = _checked(room, author, bodies)
    accepted = [r for r in results if isinstance(r, str)]
    saved = iter(
        _save_messages(room=room, author=author, bodies=accepted, client_ref=client_ref)
        if accepted
        else []
    )
    return [next(saved) if isinstance(r, str) else r for r in results]


def _checked(
    room: Room, author: User, bodies: list[str], *, muted: bool | None = None
) -> list[str | ChatError]:
    """Per body its cleaned text, or why it may not be sent (each counted against the
    flood limit on its own)."""
    try:
        _refuse_if_cannot_send(room, author, muted=muted)
    except ChatError as refusal:
        return [refusal] * len(bodies)
    results: list[str | ChatError] = []
    silenced: ChatError | None = None
    for body in bodies:
        if silenced is not None:
            results.append(silenced)
            continue
        try:
            cleaned = _validated_body(body)
            _check_flood(author)
        except ChatError as error:
            results.append(error)
            if error.code == "silenced":
                silenced = error
        else:
            results.append(cleaned)
    return results


@dataclass(frozen=True)
class Sends:
    """What one socket asks to send: its member's bodies, in order, into its room."""

    room_id: int
    member_id: int
    bodies: list[str]


def send_from_sockets(requests: list[Sends]) -> list[list[int | ChatError | None]]:
    """The sends of many sockets of one process, saved together; per request, per body,
    the new message's id, why it was refused, or None when saving failed.

    Each socket's sends are checked as :func:`send_messages` checks them, with the
    members (and their roles), rooms and mutes read once for all. Then one transaction
    locks every room involved (in id order, so two processes cannot deadlock) and inserts
    every message in one statement. A process's one database thread used to take a
    socket at a time, some nine statements each: at 100 messages a second from as many
    sockets that queue was the latency (bench/chat_fanout, "rooms").
    """
    members = with_group_names(User.objects.in_bulk({r.member_id for r in requests}).values())
    trust.recall_levels(members.values())  # the frames show links by the author's level
    rooms = Room.objects.in_bulk({r.room_id for r in requests})
    muted = set(
        RoomMute.objects.active()
        .filter(room_id__in=list(rooms), member_id__in=list(members))
        .values_list("room_id", "member_id")
    )
    checked: list[list[str | ChatError]] = []
    wanted: list[tuple[Room, User, list[str]]] = []  # the accepted bodies, per request
    for request in requests:
        member, room = members.get(request.member_id), rooms.get(request.room_id)
        if member is None or member.is_suspended or room is None:
            refusal = ChatError(_("Sign in to chat."), code="forbidden")
            checked.append([refusal] * len(request.bodies))
            continue
        bodies = _checked(room, member, request.bodies, muted=(room.pk, member.pk) in muted)
        checked.append(bodies)
        accepted = [body for body in bodies if isinstance(body, str)]
        if accepted:
            wanted.append((room, member, accepted))
    try:
        saved = _save_for_sockets(wanted)
    except Exception:
        logger.exception("chat: saving %d sockets' messages together failed", len(wanted))
        saved = _save_one_by_one(wanted)
    found = iter(saved)
    out: list[list[int | ChatError | None]] = []
    for bodies in checked:
        ids: Iterator[int | None] = (
            iter(next(found)) if any(isinstance(b, str) for b in bodies) else iter(())
        )
        out.append([next(ids) if isinstance(body, str) else body for body in bodies])
    return out


@transaction.atomic
def _save_for_sockets(
    wanted: list[tuple[Room, User, list[str]]],
) -> list[list[int | None]]:
    if not wanted:
        return []
    room_ids = sorted({room.pk for room, _, _ in wanted})
    list(
        Room.objects.select_for_update()
        .filter(pk__in=room_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    messages = ChatMessage.objects.bulk_create(
        [
            ChatMessage(room=room, author=author, body=body)
            for room, author, bodies in wanted
            for body in bodies
        ]
    )
    by_room: dict[int, list[ChatMessage]] = {}
    found = iter(messages)
    out: list[list[int | None]] = []
    for room, author, bodies in wanted:
        mine = [next(found) for _ in bodies]
        for message in mine:
            message.author = author
            message.room = room
        by_room.setdefault(room.pk, []).extend(mine)
        _notify_mentions(room, author, mine)
        out.append([message.pk for message in mine])
    rooms = {room.pk: room for room, _, _ in wanted}
    for room_id, room_messages in by_room.items():
        broadcast_messages(rooms[room_id], room_messages)
    page_cache.bump_rooms([rooms[room_id].slug for room_id in by_room])
    ids = [message.pk for message in messages]
    after_commit(
        lambda: tasks.queue_after_saved(ids), what="queueing what follows new chat messages"
    )
    return out


def _save_one_by_one(wanted: list[tuple[Room, User, list[str]]]) -> list[list[int | None]]:
    """After the shared save failed: each socket's on its own, so one cannot fail all."""
    out: list[list[int | None]] = []
    for room, author, bodies in wanted:
        try:
            out.append([m.pk for m in _save_messages(room=room, author=author, bodies=bodies)])
        except Exception:
            logger.exception("chat: saving messages failed")
            out.append([None] * len(bodies))
    return out


@transaction.atomic
def _save_messages(
    *, room: Room, author: User, bodies: list[str], client_ref: str = ""
) -> list[ChatMessage]:
    # Lock the room row so messages in one room commit in id order: a client that
    # asks for "everything after id N" can then never miss a slower, smaller id.
    Room.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True).first()
    if len(bodies) == 1:
        messages = [
            ChatMessage.objects.create(
                room=room, author=author, body=bodies[0], client_ref=client_ref
            )
        ]
    else:
        messages = ChatMessage.objects.bulk_create(
            [ChatMessage(room=room, author=author, body=body) for body in bodies]
        )
    for message in messages:
        message.author = author
    broadcast_messages(room, messages)
    _notify_mentions(room, author, messages)
    if len(messages) > 1:  # bulk_create sends no post_save, which retires a kept page
        page_cache.bump(room.slug)
    ids = [message.pk for message in messages]
    after_commit(
        lambda: tasks.queue_after_saved(ids), what="queueing what follows new chat messages"
    )
    return messages


def _notify_mentions(room: Room, author: User, messages: list[ChatMessage]) -> None:
    for message in messages:

        def mention_text(message: ChatMessage = message) -> str:
            return _("%(name)s mentioned you in %(room)s: %(text)s") % {
                "name": author.name,
                "room": room.name,
                "text": message.body[:120],
            }

        for person in mentioned_members(message.body, limit=5):
            if person.pk != author.pk and room.can_read(person):
                notify(
                    recipient=person,
                    kind="chat_mention",
                    text=mention_text,
                    url=message.get_absolute_url(),
                    actor=author,
                )


def _conversation_key(message: ChatMessage) -> str:
    return f"chat.chatmessage:{message.pk}"


def note_conversation(*, room: Room, answer: ChatMessage) -> None:
    """If ``answer`` is the first reply from someone else to a message that started a
    conversation (QUIET_BEFORE, ANSWER_WITHIN), recognise that message's author.

    Only the earliest visible message of the last ANSWER_WITHIN can be a starter (any
    later one follows it by less than QUIET_BEFORE), so this costs one query in a busy
    room and at most three when a starter is found.
    """
    starter = (
        ChatMessage.objects.visible()
        .filter(room=room, id__lt=answer.pk, created_at__gte=answer.created_at - ANSWER_WITHIN)
        .select_related("author")
        .order_by("id")
        .first()
    )
    if starter is None or starter.author_id == answer.author_id:
        return
    quiet = not (
        ChatMessage.objects.visible()
        .filter(room=room, id__lt=starter.pk, created_at__gt=starter.created_at - QUIET_BEFORE)
        .exists()
    )
    answered_before = (
        ChatMessage.objects.visible()
        .filter(room=room, id__gt=starter.pk, id__lt=answer.pk)
        .exclude(author_id=starter.author_id)
        .exists()
    )
    if not quiet or answered_before:
        return
    send_signal_after_commit(
        warm_action,
        sender=ChatMessage,
        member=starter.author,
        action="conversation",
        key=_conversation_key(starter),
        reason=f"{answer.author.name} answered the conversation you started in {room.name}",
        actor=answer.author,
    )


@transaction.atomic
def edit_message(*, message: ChatMessage, editor: User, body: str) -> ChatMessage:
    body = _validated_body(body)
    if message.room.archived:
        raise ChatError(_("This room is archived: it is read-only."), code="archived")
    if not message.can_edit(editor):
        raise ChatError(
            ngettext(
                "You can edit only your own messages, within %(minutes)d minute of sending them.",
                "You can edit only your own messages, within %(minutes)d minutes of sending them.",
                EDIT_WINDOW_SECONDS // 60,
            )
            % {"minutes": EDIT_WINDOW_SECONDS // 60},
            code="forbidden",
        )
    if body == message.body:
        return message
    message.body = body
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "edited_at"])
    broadcast(
        message.room,
        {
            "type": "edited",
            "id": message.pk,
            "body": message.body,
            "html": str(body_html(message.body, author=message.author)),
            "edited_at": message.edited_at.isoformat(),
        },
    )
    return message


@transaction.atomic
def delete_message(*, message: ChatMessage, actor: User) -> ChatMessage:
    if not message.can_delete(actor):
        raise ChatError(_("You can delete only your own messages."), code="forbidden")
    message.deleted_at = timezone.now()
    message.deleted_by = actor
    message.save(update_fields=["deleted_at", "deleted_by"])
    if actor.pk != message.author_id:
        log(
            instance=message,
            action="hearth.chat.delete",
            user=actor,
            data={
                "room": message.room.slug,
                "author": message.author.username,
                "body": message.body[:300],
            },
        )
    broadcast(message.room, {"type": "deleted", "id": message.pk})
    send_signal_after_commit(
        content_removed,
        sender=ChatMessage,
        author=message.author,
        obj=message,
        kind="chat",
        container=None,
    )
    send_signal_after_commit(
        warm_action_undone,
        sender=ChatMessage,
        member=message.author,
        action="conversation",
        key=_conversation_key(message),
        reason=f"Your message in {message.room.name} was deleted",
    )
    return message


@transaction.atomic
def react(*, message: ChatMessage, member: User, kind: str, on: bool | None = None) -> bool:
    """Add or remove ``member``'s reaction (toggle when ``on`` is None); True if it is on."""
    if kind not in REACTION_KEYS:
        raise ChatError(_("Unknown reaction."), code="bad_value")
    if message.is_deleted:
        raise ChatError(_("That message was deleted."), code="not_found")
    _refuse_if_cannot_send(message.room, member)
    existing = ChatReaction.objects.filter(message=message, member=member, kind=kind)
    if on is None:
        on = not existing.exists()
    changed = False
    if on:
        try:
            with transaction.atomic():
                ChatReaction.objects.create(message=message, member=member, kind=kind)
            changed = True
        except IntegrityError:  # already there (a double click, a retry)
            pass
    else:
        changed = existing.delete()[0] > 0
    if changed:
        count = ChatReaction.objects.filter(message=message, kind=kind).count()
        broadcast(
            message.room,
            {
                "type": "reaction",
                "id": message.pk,
                "reaction": kind,
                "count": count,
                "member": member.pk,
                "on": on,
            },
        )
        if on:
            send_signal_after_commit(
                reaction_added,
                sender=ChatMessage,
                obj=message,
                author=message.author,
                reactor=member,
                kind=kind,
                container=None,
                converts=False,  # a reaction in chat never converts a referral
            )
    return on


@transaction.atomic
def mark_read(*, room: Room, member: User, last_id: int) -> int:
    """Move the member's read marker forward (never back, never past the last message)."""
    newest = room.messages.aggregate(newest=Max("id"))["newest"] or 0
    last_id = min(last_id, newest)
    state, created = ReadState.objects.get_or_create(
        room=room, member=member, defaults={"last_read_id": last_id}
    )
    if not created and state.last_read_id < last_id:
        ReadState.objects.filter(pk=state.pk, last_read_id__lt=last_id).update(
            last_read_id=last_id, updated_at=timezone.now()
        )
    return max(last_id, state.last_read_id)


# --- moderation -----------------------------------------------------------------------


def mute_scope(room: Room) -> str:
    """The scope of a mute's penalty record (community.moderation)."""
    return f"chat.room:{room.pk}"


@transaction.atomic
def mute_member(
    *,
    room: Room,
    member: User,
    moderator: User,
    minutes: int,
    reason: str = "",
    canned_reason: CannedReason | None = None,
) -> RoomMute:
    try:
        check_may_penalise(member=member, moderator=moderator, verb="mute")
    except ModerationError as refusal:  # the chat's doors answer a ChatError
        raise ChatError(refusal.message, code=refusal.code) from None
    if not 1 <= minutes <= MUTE_MAX_MINUTES:
        raise ChatError(_("A mute lasts between 1 minute and 30 days."), code="invalid")
    until = timezone.now() + timedelta(minutes=minutes)
    mute, _unused = RoomMute.objects.update_or_create(
        room=room,
        member=member,
        defaults={"until": until, "moderator": moderator, "reason": reason[:300]},
    )
    # The member is told (bell, email, the notice replacing their chat input live).
    penalty = record_penalty(
        member=member,
        kind=Penalty.Kind.CHAT_MUTE,
        moderator=moderator,
        ends_at=until,
        reason=reason,
        canned_reason=canned_reason,
        scope=mute_scope(room),
        scope_label=_("in the room %(room)s") % {"room": room.name},
        scope_url=room.get_absolute_url(),
    )
    log(
        instance=room,
        action="hearth.chat.mute",
        user=moderator,
        data={
            "member": member.username,
            "member_id": member.pk,
            "member_name": member.name,
            "room_name": room.name,
            "until": until.isoformat(),
            "reason": reason[:300],
            "reason_title": penalty.reason_title,
            "penalty": penalty.pk,
        },
    )
    return mute


@transaction.atomic
def unmute_member(*, room: Room, member: User, moderator: User, reason: str = "") -> bool:
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators can lift a mute."))
    removed = RoomMute.objects.filter(room=room, member=member).delete()[0] > 0
    record_lift(
        member=member,
        kinds=[Penalty.Kind.CHAT_MUTE],
        moderator=moderator,
        reason=reason,
        scope=mute_scope(room),
    )
    if removed:
        log(
            instance=room,
            action="hearth.chat.unmute",
            user=moderator,
            data={
                "member": member.username,
                "member_id": member.pk,
                "member_name": member.name,
                "room_name": room.name,
                "reason": reason[:300],
            },
        )
    return removed


def enforce_mutes(member: User, scope: str) -> None:
    """Make the room's RoomMute match the member's running mute penalties there (after
    a moderator lifted or shortened one in community.moderation)."""
    room_id = int(scope.removeprefix("chat.room:"))
    ends = [
        p.ends_at
        for p in Penalty.objects.active().filter(
            member=member, kind=Penalty.Kind.CHAT_MUTE, scope=scope
        )
    ]
    if ends:
        RoomMute.objects.filter(room_id=room_id, member=member).update(until=max(ends))
    else:
        RoomMute.objects.filter(room_id=room_id, member=member).delete()


def _quote(message: ChatMessage) -> str:
    when = timezone.localtime(message.created_at).strftime("%d %b %Y, %H:%M")
    # Chat is plain text, and so are names: nothing in them may become markup.
    lines = [f"> {escape_markdown(line)}" if line else ">" for line in message.body.split("\n")]
    heading = _("**%(name)s** (@%(username)s) wrote on %(when)s:") % {
        "name": escape_markdown(message.author.name),
        "username": message.author.username,
        "when": when,
    }
    return f"{heading}\n\n" + "\n".join(lines)


@transaction.atomic
def turn_into_topic(
    *, room: Room, moderator: User, messages: list[ChatMessage], category, title: str
):
    """Open a forum topic quoting the chosen messages, each with its author and time."""
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators can turn a conversation into a topic."))
    chosen = sorted(
        (m for m in messages if m.room_id == room.pk and not m.is_deleted), key=lambda m: m.pk
    )
    if not chosen:
        raise ChatError(_("Choose at least one message to quote."), code="invalid")
    intro = _("From the chat room [%(room)s](%(url)s):") % {
        "room": escape_markdown(room.name),
        "url": room.get_absolute_url(),
    }
    body = "\n\n".join([intro, *(_quote(m) for m in chosen)])
    topic = start_topic(category=category, author=moderator, title=title, body=body)
    log(
        instance=room,
        action="hearth.chat.topic",
        user=moderator,
        data={"topic": topic.pk, "title": title, "messages": [m.pk for m in chosen]},
    )
    return topic
