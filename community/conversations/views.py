"""Private message pages; they all work without JavaScript.

Thin views: who may see it (``actions.open_conversation`` or the member's own membership)
→ form → action → redirect. Someone else's conversation answers 404, so nobody learns it
exists; a moderator reads one only when a message in it was flagged.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.mentions import members_mentioned_in
from community.models import User
from hearth.http import AuthenticatedHttpRequest
from hearth.params import ParamError, int_param, parse_int
from hearth.rules import add_to_form, flash

from . import actions
from .actions import MessagingError
from .forms import BodyForm, FlagForm, NewConversationForm
from .models import Membership, Message

CONVERSATIONS_PER_PAGE = 20
MESSAGES_PER_PAGE = 50


def _get_membership(request: AuthenticatedHttpRequest, pk: int) -> Membership:
    """The reader's own place in conversation ``pk``; 404 for anyone else (moderators
    too: they only read flagged conversations, through ``conversation``)."""
    return get_object_or_404(
        Membership.objects.select_related("conversation"),
        conversation_id=pk,
        member=request.user,
        left_at__isnull=True,
    )


def _get_member(username: str) -> User:
    return get_object_or_404(User, username__iexact=username, is_active=True)


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


@login_required
@require_GET
def conversation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's conversations: those with unread messages first, then newest first."""
    last_message = Message.objects.filter(
        conversation=OuterRef("conversation"), removed_at__isnull=True
    ).order_by("-id")
    others = Membership.objects.exclude(member=request.user).select_related("member")
    memberships = (
        Membership.objects.active()
        .filter(member=request.user)
        .with_unread()
        .annotate(
            has_unread=Case(
                When(unread__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            last_body=Subquery(last_message.values("body")[:1]),
        )
        .select_related("conversation")
        .prefetch_related(Prefetch("conversation__memberships", others, to_attr="others"))
        .order_by("-has_unread", "-conversation__last_message_at", "-conversation_id")
    )
    page = Paginator(memberships, CONVERSATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "conversations/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def new_conversation(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = NewConversationForm(request.POST)
        if form.is_valid():
            try:
                conversation = actions.start_conversation(
                    starter=request.user,
                    recipients=form.cleaned_data["recipients"],
                    body=form.cleaned_data["body"],
                )
            except MessagingError as error:
                field = "body" if error.code in ("invalid", "too_long") else "recipients"
                add_to_form(form, error, None if error.code == "rate_limited" else field)
            else:
                return redirect(conversation)
    else:
        to = request.GET.get("to", "")
        form = NewConversationForm(initial={"recipients": to[:400]} if to else None)
    return render(request, "conversations/new.html", {"form": form})


@login_required
@require_GET
def conversation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reading = actions.open_conversation(conversation_id=pk, reader=request.user)
    if reading is None:
        raise Http404("No such conversation.")
    return _conversation_page(request, reading)


def _conversation_page(
    request: AuthenticatedHttpRequest,
    reading: actions.Reading,
    *,
    form: BodyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    conversation = reading.conversation
    before = int_param(request, "before")
    page = Message.objects.filter(conversation=conversation).select_related("author")
    if before is not None:
        page = page.filter(id__lt=before)
    newest = list(page.order_by("-id")[: MESSAGES_PER_PAGE + 1])
    has_earlier = len(newest) > MESSAGES_PER_PAGE
    shown = list(reversed(newest[:MESSAGES_PER_PAGE]))
    members = members_mentioned_in(m.body for m in shown if m.removed_at is None)
    for message in shown:
        message.html = actions.body_html(message, members=members)
    people = list(
        Membership.objects.filter(conversation=conversation)
        .select_related("member")
        .order_by("joined_at", "id")
    )
    if reading.membership is not None and shown and before is None:
        actions.mark_read(conversation=conversation, member=request.user, up_to=shown[-1].pk)
    context = {
        "conversation": conversation,
        "chat_messages": shown,
        "has_earlier": has_earlier,
        "first_id": shown[0].pk if shown else 0,
        "people": [p for p in people if p.left_at is None],
        "left": [p for p in people if p.left_at is not None],
        "other_names": ", ".join(
            p.member.name for p in people if p.left_at is None and p.member_id != request.user.pk
        ),
        "left_names": ", ".join(p.member.name for p in people if p.left_at is not None),
        "as_moderator": reading.as_moderator,
        "form": (form or BodyForm()) if not reading.as_moderator else None,
        "viewer_id": request.user.pk,
    }
    return render(request, "conversations/conversation.html", context, status=status)


@login_required
@require_POST
def reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _get_membership(request, pk)
    reading = actions.Reading(membership.conversation, membership)
    form = BodyForm(request.POST)
    if not form.is_valid():
        return _conversation_page(request, reading, form=form, status=400)
    try:
        message = actions.send_message(
            conversation=membership.conversation,
            author=request.user,
            body=form.cleaned_data["body"],
        )
    except MessagingError as error:
        # Keep what they wrote: the form comes back filled in, with the reason.
        add_to_form(form, error, "body")
        return _conversation_page(request, reading, form=form, status=400)
    return redirect(message.get_absolute_url())


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """messages.js: the member saw a message that arrived while the page was open."""
    membership = _get_membership(request, pk)
    try:
        up_to = parse_int(request.POST.get("up_to", ""), minimum=1)
    except ParamError as exc:
        raise BadRequest(f"The “up_to” of this request {exc}") from None
    actions.mark_read(conversation=membership.conversation, member=request.user, up_to=up_to)
    return HttpResponse(status=204)


@login_required
@require_POST
def leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _get_membership(request, pk)
    try:
        actions.leave_conversation(conversation=membership.conversation, member=request.user)
    except MessagingError as error:
        flash(request, error)
    else:
        messages.success(request, _("You left the conversation."))
    return redirect("conversations:list")


@login_required
@require_http_methods(["GET", "POST"])
def flag(request: AuthenticatedHttpRequest, pk: int, message_pk: int) -> HttpResponse:
    membership = _get_membership(request, pk)
    message = get_object_or_404(
        Message.objects.select_related("author", "conversation"),
        pk=message_pk,
        conversation=membership.conversation,
        removed_at__isnull=True,
    )
    if message.author_id == request.user.pk:
        raise PermissionDenied(_("You cannot flag your own message."))
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.flag_message(
                message=message,
                flagger=request.user,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except MessagingError as error:
            flash(request, error)
        else:
            messages.success(request, _("Thank you: the moderators will look at this message."))
        return redirect(message.get_absolute_url())
    message.html = actions.body_html(message)
    return render(request, "conversations/flag.html", {"form": form, "message": message})


@login_required
@require_POST
def block(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    member = _get_member(username)
    try:
        actions.block_member(blocker=request.user, blocked=member)
    except MessagingError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("You blocked %(name)s: no messages, mentions or notifications from them.")
            % {"name": member.name},
        )
    return _back(request, member.get_absolute_url())


@login_required
@require_POST
def unblock(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    member = _get_member(username)
    if actions.unblock_member(blocker=request.user, blocked=member):
        messages.success(request, _("You unblocked %(name)s.") % {"name": member.name})
    return _back(request, member.get_absolute_url())


@require_GET
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The small unread count beside "Messages" in the header (loaded by htmx)."""
    unread = actions.unread_total(request.user.pk) if request.user.is_authenticated else 0
    return render(request, "conversations/_unread_badge.html", {"unread": unread})
