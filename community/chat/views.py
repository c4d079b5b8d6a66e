"""Chat pages: the room list and a room that works without JavaScript.

Thin views: permission helper -> form -> action -> redirect. The socket (consumers.py)
calls the same actions.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.chat import actions, fragments, page_cache
from community.chat.actions import ChatError
from community.chat.consumers import TYPING_EVERY_SECONDS
from community.chat.forms import EditMessageForm, MessageForm, MuteForm, TopicForm
from community.chat.models import (
    EDIT_WINDOW_SECONDS,
    MESSAGE_MAX_LENGTH,
    ChatMessage,
    ChatReaction,
    ReadState,
    Room,
)
from community.chat.protocol import HISTORY_MAX, MAX_FRAME_BYTES
from community.chat.text import body_html
from community.mentions import members_mentioned_in
from community.models import REACTIONS
from hearth.access import sign_in_for_members
from hearth.http import AuthenticatedHttpRequest
from hearth.params import int_param
from hearth.rules import RuleError, add_to_form, flash

PAGE_SIZE = 50
# Set on each ChatMessage of the room page: its <li>, for chat/room.html.
_RENDERED = "rendered"
# How far back a member's room page reaches to open at their first unread message.
UNREAD_MAX = 200


def _get_room_for_reader(request: AuthenticatedHttpRequest, slug: str) -> Room:
    room = get_object_or_404(Room, slug=slug)
    if not room.can_read(request.user):
        raise PermissionDenied(_("This room is for signed-in members."))
    return room


def _get_message(room: Room, pk: int) -> ChatMessage:
    return get_object_or_404(
        ChatMessage.objects.visible().select_related("author", "room"), pk=pk, room=room
    )


def _require_moderator(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))


@require_GET
def room_list(request: HttpRequest) -> HttpResponse:
    rooms = list(Room.objects.visible_to(request.user).with_unread_for(request.user))
    return render(request, "chat/room_list.html", {"rooms": rooms})


@require_GET
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The small unread count beside "Chat" in the header (loaded by htmx)."""
    unread = 0
    if request.user.is_authenticated:
        unread = (
            Room.objects.visible_to(request.user)
            .with_unread_for(request.user)
            .aggregate(total=Sum("unread"))["total"]
            or 0
        )
    return render(request, "chat/_unread_badge.html", {"unread": unread})


def _room_page(
    request: HttpRequest, room: Room, *, form: MessageForm | None = None
) -> HttpResponse:
    before = int_param(request, "before")
    user = request.user
    chat_messages, has_earlier = ChatMessage.objects.newest(
        room_id=room.pk, limit=PAGE_SIZE, before=before
    )
    unread_from = None
    last_read = None
    if user.is_authenticated and before is None:
        chat_messages, has_earlier, unread_from, last_read = _open_at_unread(
            room, user, chat_messages, has_earlier
        )
    ids = [m.pk for m in chat_messages]
    counts, mine = _reactions(ids, user)
    members = members_mentioned_in(m.body for m in chat_messages)
    refusal = room.send_refusal(user)
    moderator = user.is_authenticated and user.is_moderator
    if form is None and not refusal:
        form = MessageForm()
    for message in chat_messages:
        message.editable = message.can_edit(user)
        message.deletable = message.can_delete(user)
        message.html = body_html(message.body, author=message.author, members=members)
        message.reaction_list = [
            (key, emoji, label, counts.get(message.pk, {}).get(key, 0), (message.pk, key) in mine)
            for key, emoji, label in REACTIONS
        ]
        message.reactions_unused = any(
            not count and not given for _, _, _, count, given in message.reaction_list
        )
    place: dict[str, Any] = {
        "reader_id": user.pk if user.is_authenticated else None,
        "room_slug": room.slug,
        "moderator": moderator,
        "can_send": form is not None,
    }
    template = _message_template(user, can_send=not refusal)
    *rendered, template_html = fragments.render_messages(
        request,
        [fragments.message_values(m, **place) for m in [*chat_messages, template]],
    )
    for message, html in zip(chat_messages, rendered, strict=True):
        setattr(message, _RENDERED, html)
    # Reading the page moves the read marker; nothing to write when it is there already.
    if (
        user.is_authenticated
        and last_read is not None
        and chat_messages
        and last_read < chat_messages[-1].pk
    ):
        actions.mark_read(room=room, member=user, last_id=chat_messages[-1].pk)
    context = {
        "room": room,
        "chat_messages": chat_messages,
        "has_earlier": has_earlier,
        "browsing_earlier": before is not None,
        "first_id": ids[0] if ids else 0,
        "last_id": ids[-1] if ids else 0,
        "unread_from": unread_from,
        "refusal": refusal,
        "form": form,
        "is_moderator": moderator,
        "reactions": REACTIONS,
        "mute_form": MuteForm() if moderator else None,
        "message_template": template_html,
        # The server's limits, for the page's data-* attributes and forms: chat.js reads
        # them there instead of keeping its own copy.
        "max_length": MESSAGE_MAX_LENGTH,
        "max_frame_bytes": MAX_FRAME_BYTES,
        "edit_seconds": EDIT_WINDOW_SECONDS,
        "history_max": HISTORY_MAX,
        "typing_seconds": TYPING_EVERY_SECONDS,
    }
    return render(request, "chat/room.html", context)


def _reactions(ids: list[int], user) -> tuple[dict[int, dict[str, int]], set[tuple[int, str]]]:
    """The messages' reaction counts, and which of them the reader gave: one query."""
    if not user.is_authenticated:
        return actions.reaction_counts(ids), set()
    counts: dict[int, dict[str, int]] = {}
    mine: set[tuple[int, str]] = set()
    if not ids:
        return counts, mine
    rows = (
        ChatReaction.objects.filter(message_id__in=ids)
        .values_list("message_id", "kind")
        .annotate(n=Count("id"), given=Count("id", filter=Q(member=user)))
        .order_by()
    )
    for message_id, kind, n, given in rows:
        counts.setdefault(message_id, {})[kind] = n
        if given:
            mine.add((message_id, kind))
    return counts, mine


def _open_at_unread(
    room: Room, member, chat_messages: list[ChatMessage], has_earlier: bool
) -> tuple[list[ChatMessage], bool, int | None, int]:
    """The page a member opens: the newest messages, reaching back to their first unread
    one (at most UNREAD_MAX), that message's id for the "unread" divider (None when
    everything is read), and the read marker. Unread is what the room list counts
    (``with_unread_for``): others' messages after the read marker, sent after the member
    joined."""
    last_read = (
        ReadState.objects.filter(room=room, member=member)
        .values_list("last_read_id", flat=True)
        .first()
    ) or 0

    def unread(message: ChatMessage) -> bool:
        return message.pk > last_read and message.created_at > member.date_joined

    if has_earlier and chat_messages and unread(chat_messages[0]):
        chat_messages, more = ChatMessage.objects.newest(
            room_id=room.pk, limit=UNREAD_MAX, after=last_read
        )
        has_earlier = more or (
            last_read > 0
            and ChatMessage.objects.visible().filter(room=room, id__lte=last_read).exists()
        )
    first = next((m.pk for m in chat_messages if unread(m) and m.author_id != member.pk), None)
    return chat_messages, has_earlier, first, last_read


def _message_template(user, *, can_send: bool) -> SimpleNamespace:
    """A blank message with every control this viewer may ever get, for the page's
    <template>: chat.js clones it for live messages and removes what does not apply."""
    return SimpleNamespace(
        pk=0,
        author_id=0,
        author=SimpleNamespace(username="", name="", get_absolute_url=""),
        body="",
        html="",
        created_at=None,
        edited_at=None,
        editable=can_send,
        deletable=user.is_authenticated,
        reaction_list=[(key, emoji, label, 0, False) for key, emoji, label in REACTIONS],
        reactions_unused=True,
        is_template=True,
    )


@require_GET
def room(request: HttpRequest, slug: str) -> HttpResponse:
    return page_cache.served(request, slug, lambda: _room(request, slug))


def _room(request: HttpRequest, slug: str) -> HttpResponse:
    room = get_object_or_404(Room, slug=slug)
    if not room.can_read(request.user):
        if not request.user.is_authenticated:
            return sign_in_for_members(request)
        raise PermissionDenied(_("This room is for signed-in members."))
    return _room_page(request, room)


@login_required
@require_POST
def send(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    room = _get_room_for_reader(request, slug)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _room_page(request, room, form=form)
    try:
        message = actions.send_message(
            room=room,
            author=request.user,
            body=form.cleaned_data["body"],
            client_ref=form.cleaned_data["client_ref"],
        )
    except ChatError as error:
        # Keep what they wrote: the form comes back filled in, with the reason.
        add_to_form(form, error, "body")
        return _room_page(request, room, form=form)
    return redirect(message.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    room = _get_room_for_reader(request, slug)
    message = _get_message(room, pk)
    if not message.can_edit(request.user):
        raise PermissionDenied(_("You can edit only your own messages, within 5 minutes."))
    if request.method == "POST":
        form = EditMessageForm(request.POST)
        if form.is_valid():
            try:
                actions.edit_message(
                    message=message, editor=request.user, body=form.cleaned_data["body"]
                )
            except ChatError as error:
                add_to_form(form, error, "body")
            else:
                messages.success(request, _("Your message is updated."))
                return redirect(message.get_absolute_url())
    else:
        form = EditMessageForm(initial={"body": message.body})
    return render(
        request, "chat/edit_message.html", {"room": room, "message": message, "form": form}
    )


@login_required
@require_POST
def delete(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    room = _get_room_for_reader(request, slug)
    message = _get_message(room, pk)
    if not message.can_delete(request.user):
        raise PermissionDenied(_("You can delete only your own messages."))
    actions.delete_message(message=message, actor=request.user)
    messages.success(request, _("The message is deleted."))
    return redirect(room)


@login_required
@require_POST
def react(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    room = _get_room_for_reader(request, slug)
    message = _get_message(room, pk)
    try:
        actions.react(message=message, member=request.user, kind=request.POST.get("reaction", ""))
    except ChatError as error:
        flash(request, error)
    return redirect(message.get_absolute_url())


@login_required
@require_POST
def mute(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    room = _get_room_for_reader(request, slug)
    if not request.user.is_moderator:  # before the form: nobody else learns anything here
        raise PermissionDenied(_("Only moderators can mute members."))
    form = MuteForm(request.POST)
    if not form.is_valid():
        flash(request, form)
        return redirect(room)
    member = form.cleaned_data["member"]
    try:
        mute = actions.mute_member(
            room=room,
            member=member,
            moderator=request.user,
            minutes=form.cleaned_data["minutes"],
            reason=form.cleaned_data["reason"],
            canned_reason=form.cleaned_data["rule"],
        )
    except ChatError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is muted in %(room)s until %(until)s.")
            % {
                "name": member.name,
                "room": room.name,
                "until": date_format(mute.until, "H:i, d M"),
            },
        )
    return redirect(room)


@login_required
@require_http_methods(["GET", "POST"])
def turn_into_topic(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    _require_moderator(request)
    room = _get_room_for_reader(request, slug)
    if request.method == "POST":
        form = TopicForm(request.POST, room=room)
        if form.is_valid():
            try:
                topic = actions.turn_into_topic(
                    room=room,
                    moderator=request.user,
                    messages=list(form.cleaned_data["messages"]),
                    category=form.cleaned_data["category"],
                    title=form.cleaned_data["title"],
                )
            except RuleError as error:  # the chat's refusal or the forum's (PostingError)
                add_to_form(form, error)
            else:
                messages.success(request, _("The topic is open."))
                return redirect(topic.get_absolute_url())
    else:
        form = TopicForm(room=room, initial={"messages": request.GET.getlist("message")})
    form.offer_latest(PAGE_SIZE)
    return render(request, "chat/topic_form.html", {"room": room, "form": form})
