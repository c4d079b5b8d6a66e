"""Flagged private messages in the review inbox (community.review).

One item per message with open flags. The moderator reads the message in the inbox, and
may open the conversation around it (that reading is in the audit log, see
``actions.open_conversation``); removing it hides it from the conversation and tells its
author why, dismissing closes the flags. Both go through ``actions.resolve_flags``, which
checks under the message's lock that the flags are still open.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from community.models import User
from community.moderation.log_formatters import sentence
from community.review import Decision, ReviewItem, ReviewSource, StaleItem, register
from hearth.params import parse_int
from hearth.rules import RuleError

from . import actions
from .models import Message, MessageFlag


def _flagged_messages():
    open_flags = MessageFlag.objects.filter(resolved_at__isnull=True)
    return Message.objects.filter(pk__in=open_flags.values("message_id"))


class FlaggedMessages(ReviewSource):
    kind = actions.FLAG_KIND
    label = gettext_lazy("Flagged private messages")
    decisions = (
        Decision(actions.REMOVE, gettext_lazy("Remove the message"), needs_reason=True),
        Decision(actions.DISMISS, gettext_lazy("Dismiss the flags")),
    )

    def pending(self) -> Iterable[ReviewItem]:
        open_flags = MessageFlag.objects.filter(resolved_at__isnull=True).select_related("flagger")
        messages = _flagged_messages().select_related("author", "conversation")
        for message in messages.prefetch_related(
            Prefetch("flags", open_flags, to_attr="open_flags")
        ):
            if message.open_flags:
                yield self._item(message, message.open_flags)

    def count(self) -> int:
        return _flagged_messages().count()

    def _item(self, message: Message, flags: list[MessageFlag]) -> ReviewItem:
        author = message.author.name if message.author else _("a former member")
        reasons = sorted({str(MessageFlag.Reason(f.reason).label) for f in flags})
        notes = [f"“{f.text}” ({f.flagger.name})" for f in flags if f.text]
        count = ngettext("%(count)d flag", "%(count)d flags", len(flags)) % {"count": len(flags)}
        details = {_("Flags"): f"{count}: {', '.join(reasons)}"}
        if notes:
            details[_("Flaggers wrote")] = "; ".join(notes)
        details[_("Reading")] = _("Opening the conversation is written to the audit log.")
        excerpt = " ".join(message.body.split())
        return ReviewItem(
            kind=self.kind,
            key=str(message.pk),
            title=_("Private message by %(author)s") % {"author": author},
            summary=excerpt if len(excerpt) <= 280 else excerpt[:279] + "…",
            created_at=min(f.created_at for f in flags),
            url=message.get_absolute_url(),
            member=message.author,
            details=details,
        )

    def decide(self, *, key: str, decision: str, moderator: User, reason: str = "") -> str:
        if decision == actions.REMOVE and not reason.strip():
            raise RuleError(_("Give a reason for removing; the author will see it."), code="reason")
        try:
            pk = parse_int(key, minimum=1)
        except ValueError:
            raise StaleItem(_("This message no longer exists.")) from None
        try:
            closed = actions.resolve_flags(
                message_id=pk, moderator=moderator, decision=decision, reason=reason.strip()
            )
        except PermissionDenied as error:
            raise RuleError(str(error) or _("Only moderators can do that.")) from None
        if decision == actions.REMOVE:
            return ngettext(
                "The message is removed; %(count)d flag closed.",
                "The message is removed; %(count)d flags closed.",
                closed,
            ) % {"count": closed}
        return ngettext(
            "%(count)d flag dismissed; the message stays.",
            "%(count)d flags dismissed; the message stays.",
            closed,
        ) % {"count": closed}


def _formatter(label: str, template: str) -> type[LogFormatter]:
    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return sentence(template, data.get("conversation", "?"), data.get("reason") or "")

    return type(
        "MessagesLogFormatter", (LogFormatter,), {"label": label, "format_message": format_message}
    )


@hooks.register("register_log_actions")
def register_message_log_actions(registry) -> None:
    registry.register_action("hearth.messages.moderator_read")(
        _formatter(
            "Read private conversation", "Read private conversation {} (a message was flagged){}"
        )
    )
    registry.register_action("hearth.messages.remove")(
        _formatter("Remove private message", "Removed a private message in conversation {} — “{}”")
    )
    registry.register_action("hearth.messages.dismiss")(
        _formatter("Dismiss message flags", "Dismissed the flags of a message in conversation {}{}")
    )


def register_source() -> None:
    register(FlaggedMessages())
