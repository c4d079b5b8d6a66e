"""Private messages and blocking: every rule about who may message whom, in one place.

The new-message page, the reply form, the profile's buttons and the email command all
call these verbs; each checks who may do it and raises :class:`MessagingError` (a
``hearth.rules.RuleError``) with a sentence for the person. Live frames go to each other
member's sockets only after the transaction commits (``community.live.send_to_member``),
and emails are queued as tasks after commit (``hearth.mail``).

The rules:

- Only signed-in members in good standing send; a suspended member sends nothing, a
  silenced or new (trust level 0) member may message moderators and editors only.
- At most ``MAX_MEMBERS`` in a conversation, the starter included; never yourself.
- New conversations are rate-limited per day (stricter for new members), messages per
  minute; staff are exempt.
- A member who blocked someone gets no messages, mentions or notifications from them:
  the blocked member cannot start a conversation with them nor write in one they are in.
- Moderators read a conversation only when one of its messages was flagged, and every
  such reading is in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from community import trust
from community.actions import notify
from community.live import send_to_member
from community.mentions import mentioned_members, plain_text_html
from community.models import EDITORS_GROUP, MODERATORS_GROUP, Block, User
from community.review import StaleItem, announce
from hearth.forms import too_long_message
from hearth.i18n import for_member
from hearth.mail import queue_email
from hearth.rules import RuleError
from hearth.text import clean_text

from .models import MAX_MEMBERS, MESSAGE_MAX_LENGTH, Conversation, Membership, Message, MessageFlag

# New conversations a member may start in a day; new members (trust level 0) fewer.
NEW_CONVERSATIONS_PER_DAY = 20
NEW_MEMBER_CONVERSATIONS_PER_DAY = 3
# Messages a member may send in a minute, over all their conversations.
MESSAGES_PER_MINUTE = 20
# A message unread this long is emailed about (once per unread stretch).
EMAIL_AFTER = timedelta(minutes=15)
FLAG_KIND = "message_flag"

MESSAGE_EVENT = "conversation.message"
COUNT_EVENT = "conversation.count"


class MessagingError(RuleError):
    """A private-messaging rule said no."""


# --- who may message whom ---------------------------------------------------------------


def _staff_ids(ids: Sequence[int]) -> set[int]:
    """Which of ``ids`` are moderators or editors (superusers too): one query."""
    return set(
        User.objects.filter(pk__in=ids)
        .filter(Q(is_superuser=True) | Q(groups__name__in=[MODERATORS_GROUP, EDITORS_GROUP]))
        .values_list("pk", flat=True)
        .distinct()
    )


def _check_sender(sender: Any) -> None:
    if sender is None or not getattr(sender, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to send private messages."))
    if not sender.is_active or sender.is_suspended:
        raise MessagingError(
            _("Your account is suspended, so you cannot send messages."), code="suspended"
        )


def _only_staff_reason(sender: User) -> str:
    """Why ``sender`` may message only staff ("" when they may message anyone)."""
    if sender.is_staff_member:
        return ""
    if sender.is_silenced:
        return _("While you are silenced you can message moderators and editors only.")
    if trust.trust_level(sender) == trust.NEW:
        return _(
            "New members can message moderators and editors only, until they have taken "
            "part a little: your profile says what is left."
        )
    return ""


def _blocked_from(sender: User, others: Sequence[User]) -> tuple[User | None, User | None]:
    """(someone among ``others`` who blocked ``sender``, someone ``sender`` blocked): one
    query for both directions."""
    ids = [other.pk for other in others]
    rows = Block.objects.filter(
        Q(blocker_id__in=ids, blocked_id=sender.pk) | Q(blocker_id=sender.pk, blocked_id__in=ids)
    ).values_list("blocker_id", "blocked_id")
    by_id = {other.pk: other for other in others}
    blocked_by = blocked = None
    for blocker_id, blocked_id in rows:
        if blocked_id == sender.pk:
            blocked_by = blocked_by or by_id.get(blocker_id)
        else:
            blocked = blocked or by_id.get(blocked_id)
    return blocked_by, blocked


def check_may_message(*, sender: Any, recipients: Sequence[User]) -> None:
    """Raise MessagingError (PermissionDenied for a visitor) unless ``sender`` may start a
    conversation with ``recipients``. The one rule the new-message page, the profile's
    Message button and ``start_conversation`` ask."""
    _check_sender(sender)
    recipients = list({r.pk: r for r in recipients}.values())
    if not recipients:
        raise MessagingError(_("Name at least one member to message."), code="invalid")
    if any(r.pk == sender.pk for r in recipients):
        raise MessagingError(_("You cannot send a message to yourself."), code="self")
    if len(recipients) + 1 > MAX_MEMBERS:
        raise MessagingError(
            _(
                "A conversation can have at most %(max)d members, you included: "
                "name at most %(others)d others."
            )
            % {"max": MAX_MEMBERS, "others": MAX_MEMBERS - 1},
            code="too_many",
        )
    for recipient in recipients:
        if not recipient.is_active or recipient.is_suspended:
            raise MessagingError(
                _("@%(username)s cannot receive messages right now.")
                % {"username": recipient.username},
                code="unavailable",
            )
    only_staff = _only_staff_reason(sender)
    if only_staff:
        staff = _staff_ids([r.pk for r in recipients])
        if any(r.pk not in staff for r in recipients):
            raise MessagingError(only_staff, code="only_staff")
    blocked_by, blocked = _blocked_from(sender, recipients)
    if blocked_by is not None:
        # Only what the sender needs to know to change their list of names.
        raise MessagingError(
            _("@%(username)s is not accepting messages from you.")
            % {"username": blocked_by.username},
            code="blocked",
        )
    if blocked is not None:
        raise MessagingError(
            _("You blocked @%(username)s: unblock them first to message them.")
            % {"username": blocked.username},
            code="blocked",
        )


def may_message(sender: Any, recipient: User) -> bool:
    """Whether the profile shows ``sender`` a Message button for ``recipient``."""
    try:
        check_may_message(sender=sender, recipients=[recipient])
    except (MessagingError, PermissionDenied):
        return False
    return True


def _check_rate(sender: User, *, new_conversation: bool) -> None:
    if sender.is_staff_member:
        return
    now = timezone.now()
    if new_conversation:
        new = trust.trust_level(sender) == trust.NEW
        limit = NEW_MEMBER_CONVERSATIONS_PER_DAY if new else NEW_CONVERSATIONS_PER_DAY
        started = Conversation.objects.filter(
            started_by=sender, created_at__gt=now - timedelta(days=1)
        ).count()
        if started >= limit:
            raise MessagingError(
                ngettext(
                    "You can start %(n)d new conversation a day; try again tomorrow, "
                    "or reply in one you already have.",
                    "You can start %(n)d new conversations a day; try again tomorrow, "
                    "or reply in one you already have.",
                    limit,
                )
                % {"n": limit},
                code="rate_limited",
                retry_after=24 * 60 * 60,
            )
    sent = Message.objects.filter(author=sender, created_at__gt=now - timedelta(minutes=1))
    if sent.count() >= MESSAGES_PER_MINUTE:
        raise MessagingError(
            _("You are sending messages too fast. Wait a minute, then send again."),
            code="rate_limited",
            retry_after=60,
        )


def _validated_body(body: str) -> str:
    body = clean_text(body)
    if not body:
        raise MessagingError(_("Write something first: a message cannot be empty."), code="invalid")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise MessagingError(
            too_long_message(MESSAGE_MAX_LENGTH, len(body), "A message"), code="too_long"
        )
    return body


# --- the frames -------------------------------------------------------------------------


def body_html(message: Message, *, members: Any = None) -> SafeString:
    """A message's words as HTML: escaped, @mentions and links as the forum shows them
    (a new member's links stay text), line breaks kept."""
    links = message.author is None or trust.may_post_links(message.author)
    html = str(plain_text_html(message.body, links=links, members=members))
    return mark_safe(html.replace("\n", "<br>"))  # escaped by plain_text_html


def render_message(message: Message, *, viewer_id: int | None, members: Any = None) -> str:
    """The one markup of a message: the conversation page includes the same template,
    and the live frame carries it rendered for a member who is not its author."""
    message.html = body_html(message, members=members)
    return render_to_string(
        "conversations/_message.html",
        {"message": message, "viewer_id": viewer_id, "conversation": message.conversation},
    )


def unread_total(member_id: int) -> int:
    """The number beside "Messages" in the header: one query."""
    return (
        Membership.objects.active()
        .filter(member_id=member_id)
        .aggregate(
            n=Count(
                "conversation__messages",
                filter=Q(conversation__messages__id__gt=F("last_read_id"))
                & ~Q(conversation__messages__author_id=member_id)
                & Q(conversation__messages__removed_at__isnull=True),
            )
        )["n"]
        or 0
    )


def _broadcast(message: Message, recipients: Sequence[int]) -> None:
    """The new message to each other member's sockets, after commit, with their count."""
    if not recipients:
        return
    payload = {
        "id": message.pk,
        "conversation": message.conversation_id,
        "author": message.author.username if message.author else "",
        "author_name": message.author.name if message.author else "",
        "html": render_message(message, viewer_id=None),
        "created_at": message.created_at.isoformat(),
    }
    for member_id in recipients:
        send_to_member(
            member_id,
            {"type": MESSAGE_EVENT, "message": payload, "unread": unread_total(member_id)},
        )


def _send_count(member_id: int) -> None:
    send_to_member(member_id, {"type": COUNT_EVENT, "unread": unread_total(member_id)})


def _notify_mentions(message: Message, members: Sequence[User]) -> None:
    """Mentioned members of the conversation hear about it (the bell); nobody outside it
    learns a private message exists. ``notify`` skips blockers."""
    author = message.author
    assert author is not None
    member_ids = {m.pk for m in members}
    for person in mentioned_members(message.body, limit=5):
        if person.pk in member_ids and person.pk != author.pk:
            notify(
                recipient=person,
                kind="message_mention",
                text=lambda: (
                    _("%(name)s mentioned you in a private message") % {"name": author.name}
                ),
                url=message.get_absolute_url(),
                actor=author,
            )


# --- starting, sending, reading, leaving -----------------------------------------------


@transaction.atomic
def start_conversation(*, starter: Any, recipients: Sequence[User], body: str) -> Conversation:
    """A new conversation of ``starter`` and ``recipients`` with its first message."""
    check_may_message(sender=starter, recipients=recipients)
    body = _validated_body(body)
    _check_rate(starter, new_conversation=True)
    now = timezone.now()
    conversation = Conversation.objects.create(
        started_by=starter, created_at=now, last_message_at=now
    )
    people = [starter, *{r.pk: r for r in recipients}.values()]
    Membership.objects.bulk_create(
        [Membership(conversation=conversation, member=p, joined_at=now) for p in people]
    )
    message = _save_message(conversation, starter, body, now=now)
    Membership.objects.filter(conversation=conversation, member=starter).update(
        last_read_id=message.pk
    )
    _broadcast(message, [p.pk for p in people if p.pk != starter.pk])
    _notify_mentions(message, people)
    return conversation


def _save_message(conversation: Conversation, author: User, body: str, *, now: datetime) -> Message:
    message = Message.objects.create(
        conversation=conversation, author=author, body=body, created_at=now
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    conversation.last_message_at = now
    message.conversation = conversation
    message.author = author
    return message


def _membership(conversation: Conversation, member: User) -> Membership | None:
    return Membership.objects.filter(
        conversation=conversation, member=member, left_at__isnull=True
    ).first()


@transaction.atomic
def send_message(*, conversation: Conversation, author: Any, body: str) -> Message:
    """A reply in a conversation the author is in."""
    _check_sender(author)
    if _membership(conversation, author) is None:
        raise PermissionDenied(_("Only the members of a conversation can write in it."))
    body = _validated_body(body)
    others = list(
        User.objects.filter(
            conversation_memberships__conversation=conversation,
            conversation_memberships__left_at__isnull=True,
        ).exclude(pk=author.pk)
    )
    if not others:
        raise MessagingError(_("Everyone else has left this conversation."), code="empty")
    only_staff = _only_staff_reason(author)
    if only_staff and any(o.pk not in _staff_ids([o.pk for o in others]) for o in others):
        raise MessagingError(only_staff, code="only_staff")
    blocked_by, _unused = _blocked_from(author, others)
    if blocked_by is not None:
        # Which member blocked them is not theirs to know in a group.
        raise MessagingError(
            _("You cannot send messages in this conversation any more."), code="blocked"
        )
    _check_rate(author, new_conversation=False)
    # Messages of one conversation are saved one at a time, so their ids follow their order.
    Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    message = _save_message(conversation, author, body, now=timezone.now())
    Membership.objects.filter(conversation=conversation, member=author).update(
        last_read_id=message.pk, unread_emailed=False
    )
    _broadcast(message, [o.pk for o in others])
    _notify_mentions(message, [author, *others])
    return message


def mark_read(*, conversation: Conversation, member: User, up_to: int | None = None) -> bool:
    """The member has seen the conversation up to message ``up_to`` (the newest when
    None). A new unread stretch may be emailed about again. Never moves backwards."""
    if up_to is None:
        up_to = (
            Message.objects.filter(conversation=conversation)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        ) or 0
    changed = Membership.objects.filter(
        conversation=conversation, member=member, left_at__isnull=True, last_read_id__lt=up_to
    ).update(last_read_id=up_to, unread_emailed=False)
    if changed:
        _send_count(member.pk)
    return bool(changed)


@transaction.atomic
def leave_conversation(*, conversation: Conversation, member: User) -> None:
    changed = Membership.objects.filter(
        conversation=conversation, member=member, left_at__isnull=True
    ).update(left_at=timezone.now())
    if not changed:
        raise MessagingError(_("You are not in this conversation."), code="stale")
    _send_count(member.pk)


# --- reading as a moderator -------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """How a reader has the conversation open: as a member, or as a moderator because a
    message in it was flagged (then ``membership`` is None)."""

    conversation: Conversation
    membership: Membership | None

    @property
    def as_moderator(self) -> bool:
        return self.membership is None


def open_conversation(*, conversation_id: int, reader: Any) -> Reading | None:
    """The conversation for ``reader``, or None when it is not theirs to read (the page
    answers 404, so nobody learns it exists). A moderator who is not a member reads it
    only when a message in it was flagged, and that reading is written to the audit log."""
    if reader is None or not reader.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(
            conversation_id=conversation_id, member=reader, left_at__isnull=True
        )
        .select_related("conversation")
        .first()
    )
    if membership is not None:
        return Reading(membership.conversation, membership)
    if not reader.is_moderator:
        return None
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return None
    flagged = list(
        MessageFlag.objects.filter(message__conversation=conversation)
        .values_list("message_id", flat=True)
        .distinct()
    )
    if not flagged:
        return None
    log(
        instance=conversation,
        action="hearth.messages.moderator_read",
        user=reader,
        data={"conversation": conversation.pk, "flagged_messages": sorted(flagged)},
    )
    return Reading(conversation, None)


# --- flags --------------------------------------------------------------------------------


@transaction.atomic
def flag_message(*, message: Message, flagger: User, reason: str, text: str = "") -> MessageFlag:
    """A member of the conversation reports someone else's message to the moderators."""
    _check_sender(flagger)
    if _membership(message.conversation, flagger) is None:
        raise PermissionDenied(_("Only the members of a conversation can flag its messages."))
    if message.author_id == flagger.pk:
        raise MessagingError(_("You cannot flag your own message."), code="own")
    if reason not in MessageFlag.Reason.values:
        raise MessagingError(_("Choose why you flag this message."), code="invalid")
    try:
        with transaction.atomic():
            flag = MessageFlag.objects.create(
                message=message, flagger=flagger, reason=reason, text=clean_text(text)[:300]
            )
    except IntegrityError:
        raise MessagingError(
            _("You flagged this message already; a moderator will look at it."), code="duplicate"
        ) from None
    author = message.author.name if message.author else None

    def flagged_text() -> str:
        words = {"name": author, "reason": MessageFlag.Reason(reason).label}
        if author is None:
            return _("A private message by a former member was flagged: %(reason)s.") % words
        return _("A private message by %(name)s was flagged: %(reason)s.") % words

    announce(kind=FLAG_KIND, key=str(message.pk), text=flagged_text)
    return flag


REMOVE = "remove"
DISMISS = "dismiss"


@transaction.atomic
def resolve_flags(*, message_id: int, moderator: User, decision: str, reason: str = "") -> int:
    """Close the open flags of a message: remove it (its author is told why) or dismiss
    them. Checked under the message's lock: a second decision is a StaleItem."""
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators decide flagged messages."))
    if decision not in (REMOVE, DISMISS):
        raise MessagingError(_("A flagged message can be removed or its flags dismissed."))
    message = (
        # Only the message's row is locked: its author may be gone (a nullable join,
        # which PostgreSQL cannot lock).
        Message.objects.select_for_update(of=("self",))
        .select_related("conversation", "author")
        .filter(pk=message_id)
        .first()
    )
    open_flags = MessageFlag.objects.filter(message_id=message_id, resolved_at__isnull=True)
    if message is None or not open_flags.exists():
        raise StaleItem(_("This message's flags were reviewed meanwhile; nothing changed."))
    now = timezone.now()
    outcome = MessageFlag.Outcome.REMOVED if decision == REMOVE else MessageFlag.Outcome.DISMISSED
    closed = open_flags.update(resolved_at=now, resolved_by=moderator, outcome=outcome)
    if decision == REMOVE:
        Message.objects.filter(pk=message.pk).update(removed_at=now)
        if message.author is not None:
            notify(
                recipient=message.author,
                kind="message_removed",
                text=lambda: (
                    _("A moderator removed one of your private messages: %(reason)s")
                    % {"reason": reason}
                )[:300],
                url=message.get_absolute_url(),
                actor=moderator,
            )
    log(
        instance=message.conversation,
        action=f"hearth.messages.{decision}",
        user=moderator,
        data={"conversation": message.conversation_id, "message": message.pk, "reason": reason},
    )
    return closed


# --- blocking -------------------------------------------------------------------------


@transaction.atomic
def block_member(*, blocker: Any, blocked: User) -> Block:
    """From now on ``blocker`` gets no messages, mentions or notifications from
    ``blocked``. Blocking twice changes nothing."""
    _check_sender(blocker)
    if blocker.pk == blocked.pk:
        raise MessagingError(_("You cannot block yourself."), code="self")
    if blocked.is_staff_member:
        raise MessagingError(
            _(
                "Moderators and editors cannot be blocked: they may need to reach you. "
                "If one of them bothers you, tell another moderator."
            ),
            code="staff",
        )
    block, _unused = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return block


@transaction.atomic
def unblock_member(*, blocker: Any, blocked: User) -> bool:
    if blocker is None or not blocker.is_authenticated:
        raise PermissionDenied(_("Sign in to manage whom you block."))
    deleted, _unused = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


# --- email about unread messages --------------------------------------------------------


@dataclass
class Emailed:
    sent: int = 0
    skipped: int = 0


def due_for_email(*, now: datetime):
    """Memberships with a message unread for EMAIL_AFTER, not yet emailed about, of
    members who want these emails and have a confirmed address (one query)."""
    waiting = (
        Message.objects.filter(
            conversation=OuterRef("conversation"),
            id__gt=OuterRef("last_read_id"),
            created_at__lte=now - EMAIL_AFTER,
            removed_at__isnull=True,
        )
        .exclude(author=OuterRef("member"))
        .values("id")
    )
    confirmed = EmailAddress.objects.filter(
        user=OuterRef("member"), email__iexact=OuterRef("member__email"), verified=True
    )
    return (
        Membership.objects.active()
        .filter(unread_emailed=False, member__is_active=True, member__message_emails=True)
        .exclude(member__email="")
        .filter(Q(member__suspended_until__isnull=True) | Q(member__suspended_until__lte=now))
        .filter(Exists(waiting), Exists(confirmed))
        .select_related("member", "conversation")
        .order_by("pk")
    )


def _email_about(membership: Membership) -> tuple[str, str]:
    """The email's subject and body, in the member's language."""
    with for_member(membership.member):
        return _email_in_active_language(membership)


def _email_in_active_language(membership: Membership) -> tuple[str, str]:
    member = membership.member
    unread = list(
        Message.objects.filter(
            conversation=membership.conversation_id,
            id__gt=membership.last_read_id,
            removed_at__isnull=True,
        )
        .exclude(author=member)
        .select_related("author")
        .order_by("id")[:50]
    )
    names = sorted({m.author.name for m in unread if m.author is not None}) or [_("A member")]
    count = len(unread)
    subject = ngettext(
        "[%(site)s] %(count)d unread message from %(names)s",
        "[%(site)s] %(count)d unread messages from %(names)s",
        count,
    ) % {"site": settings.SITE_NAME, "count": count, "names": ", ".join(names)}
    body = render_to_string(
        "conversations/email/unread.txt",
        {
            "member": member,
            "count": count,
            "names": names,
            "newest": unread[-1] if unread else None,
            "url": settings.BASE_URL + membership.conversation.get_absolute_url(),
            "preferences_url": settings.BASE_URL + reverse("community:my-profile"),
            "site_name": settings.SITE_NAME,
        },
    )
    return subject, body


def send_unread_emails(*, now: datetime | None = None, limit: int = 1000) -> Emailed:
    """One email per conversation with a message unread for a while, until the member
    reads it. Marking the membership and queueing the email happen in one transaction,
    and only the run whose UPDATE flips the flag sends: never twice, however often or
    concurrently the command runs."""
    now = now or timezone.now()
    outcome = Emailed()
    for membership in due_for_email(now=now)[:limit]:
        with transaction.atomic():
            claimed = Membership.objects.filter(pk=membership.pk, unread_emailed=False).update(
                unread_emailed=True
            )
            if not claimed:
                outcome.skipped += 1
                continue
            subject, body = _email_about(membership)
            queue_email(subject=subject, body=body, to=[membership.member.email])
            outcome.sent += 1
    return outcome
