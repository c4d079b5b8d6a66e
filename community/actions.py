"""Verbs about members: moderation of accounts (and the bell, from community.notifications).

The moderation verbs decide who may penalise whom (moderators, never staff or
themselves); the profile page and any other door call them and show their refusal.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from community.live import disconnect_member, send_signal_after_commit
from community.models import User
from community.moderation.actions import log_data, record_lift, record_penalty
from community.notifications import mark_notifications_read, notify  # noqa: F401 (re-exported)
from community.signals import member_suspended, warm_action
from hearth.i18n import for_member
from hearth.rules import RuleError

if TYPE_CHECKING:
    from community.moderation.models import CannedReason, Penalty


def note_profile_saved(*, member: User) -> None:
    """A profile with a display name, a bio and an avatar is complete: the referral hub
    recognises that once per member (a later save, or removing the avatar, changes
    nothing)."""
    if member.display_name and member.bio and member.avatar:
        send_signal_after_commit(
            warm_action,
            sender=User,
            member=member,
            action="profile",
            key=f"member:{member.pk}",
            reason="You completed your profile: name, bio and picture",
            actor=None,
        )


class ModerationError(RuleError):
    """A moderator may not do that to this member."""

    code = "forbidden"


def check_may_penalise(*, member: User, moderator: User, verb: str = "silence or suspend") -> None:
    """Only moderators penalise (silence, suspend, lift, mute in chat), and never staff or
    themselves: the one rule for every penalty. ``verb`` words the refusal."""
    if not moderator.is_moderator:
        if verb == "mute":
            raise PermissionDenied(_("Only moderators can mute members."))
        raise PermissionDenied(_("Only moderators can silence or suspend members."))
    if member.pk == moderator.pk or member.is_staff_member:
        if verb == "mute":
            raise ModerationError(_("Moderators cannot mute staff or themselves."))
        raise ModerationError(_("Moderators cannot silence or suspend staff or themselves."))


def _record(
    *, member: User, moderator: User, kind: str, until: datetime, reason: str, canned_reason
) -> Penalty:
    """Record the penalty (the member is told: bell, email, banner) and its audit entry
    (logged on the penalty, which moderators may view)."""
    penalty = record_penalty(
        member=member,
        kind=kind,
        moderator=moderator,
        ends_at=until,
        reason=reason,
        canned_reason=canned_reason,
    )
    log(
        instance=penalty,
        action=f"hearth.member.{kind}",
        user=moderator,
        data=log_data(penalty, reason=reason),
    )
    return penalty


@transaction.atomic
def suspend_member(
    *,
    member: User,
    moderator: User,
    until: datetime,
    reason: str,
    canned_reason: CannedReason | None = None,
) -> None:
    """Suspend a member: they are signed out everywhere and their sockets close."""
    check_may_penalise(member=member, moderator=moderator)
    member.suspended_until = until
    member.suspension_reason = (reason or (canned_reason.title if canned_reason else ""))[:300]
    member.save(update_fields=["suspended_until", "suspension_reason"])
    # Sockets close first (their last frame says why); the email carries the details.
    with for_member(member):
        said = _("Your account has been suspended.")
    disconnect_member(member.pk, reason=said)
    _record(
        member=member,
        moderator=moderator,
        kind="suspend",
        until=until,
        reason=reason,
        canned_reason=canned_reason,
    )
    send_signal_after_commit(
        member_suspended, sender=User, member=member, moderator=moderator, reason=reason
    )


@transaction.atomic
def unsuspend_member(*, member: User, moderator: User, reason: str = "") -> None:
    """Lift a suspension and a silence: the member may take part again.

    ``reason`` (what the moderator typed) is kept on the penalties and in the audit log.
    """
    check_may_penalise(member=member, moderator=moderator)
    member.suspended_until = None
    member.suspension_reason = ""
    member.silenced_until = None
    member.save(update_fields=["suspended_until", "suspension_reason", "silenced_until"])
    lifted = record_lift(
        member=member, kinds=["silence", "suspend"], moderator=moderator, reason=reason
    )
    log(
        instance=member,
        action="hearth.member.unsuspend",
        user=moderator,
        data={
            "member": member.username,
            "member_id": member.pk,
            "member_name": member.name,
            "reason": reason[:300],
            "penalties": [penalty.pk for penalty in lifted],
        },
    )


@transaction.atomic
def silence_member(
    *,
    member: User,
    moderator: User,
    until: datetime,
    reason: str,
    canned_reason: CannedReason | None = None,
) -> None:
    """A silenced member can read but not post, reply or chat until ``until``."""
    check_may_penalise(member=member, moderator=moderator)
    member.silenced_until = until
    member.save(update_fields=["silenced_until"])
    _record(
        member=member,
        moderator=moderator,
        kind="silence",
        until=until,
        reason=reason,
        canned_reason=canned_reason,
    )
