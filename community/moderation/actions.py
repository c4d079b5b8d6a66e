"""Recording penalties, lifting them, appeals and their decisions; telling the member.

Every door that penalises (community.actions.silence_member / suspend_member, the chat's
mute_member, the chat's automatic silence) records the penalty through
:func:`record_penalty`, and every door that lifts through :func:`record_lift` or
:func:`lift_penalty`. The fast checks stay where the other apps keep them (the member's
``silenced_until``/``suspended_until``, the chat's ``RoomMute``); when a moderator lifts
or shortens a penalty here, the enforcer registered for its kind brings that fast check
in line (:func:`register_enforcer`: this app for silences and suspensions, the chat for
mutes, so this app never imports the chat).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from community import review, trust
from community.live import send_to_member
from community.models import User
from community.moderation.models import Appeal, CannedReason, Penalty, StaffNote
from community.notifications import notify
from hearth.i18n import for_member
from hearth.mail import queue_email
from hearth.rules import RuleError
from hearth.text import clean_text


class PenaltyError(RuleError):
    """A rule about penalties or appeals said no."""


# The live event a member's sockets get whenever a penalty of theirs starts, changes or
# ends; each socket kind decides what it means for its page (the chat swaps its form).
STANDING_EVENT = "hearth.standing"

Enforcer = Callable[[User, str], None]
_enforcers: dict[str, Enforcer] = {}


def register_enforcer(kind: str, enforce: Enforcer) -> None:
    """``enforce(member, scope)`` makes the fast check of ``kind`` match the member's
    active penalties of that kind in ``scope`` (called inside the transaction)."""
    _enforcers[kind] = enforce


def when(moment: datetime) -> str:
    """ "2 Dec, 14:00" in the site's time zone."""
    return dateformat.format(timezone.localtime(moment), "j M, H:i")


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


# --- the member's signed link -------------------------------------------------------------

_LINK_SALT = "hearth.moderation.penalty-link"


def _link_signature(penalty: Penalty) -> str:
    return signing.Signer(salt=_LINK_SALT).signature(f"{penalty.pk}:{penalty.member_id}")


def signed_path(penalty: Penalty) -> str:
    """The penalty's page, opened without signing in: a suspended member is signed out,
    yet reads why and appeals through this link (their emails carry it)."""
    return f"{penalty.get_absolute_url()}?token={_link_signature(penalty)}"


def link_opens(penalty: Penalty, token: str) -> bool:
    return bool(token) and constant_time_compare(token, _link_signature(penalty))


def suspension_notice_path(member: User) -> str:
    """The signed link to the member's running suspension (why, until when, the appeal),
    which they read signed out; "" when none is on record."""
    suspension = (
        Penalty.objects.active()
        .filter(member=member, kind=Penalty.Kind.SUSPEND, scope="")
        .order_by("-ends_at")
        .first()
    )
    return signed_path(suspension) if suspension else ""


# --- telling the member -----------------------------------------------------------------


def _tell(
    member: User,
    *,
    kind: str,
    words: Callable[[], tuple[str, str]],
    url: str,
    actor: User | None,
) -> None:
    """Ring the member's bell and email them; ``words`` gives the bell's line and the
    email's body, said in the member's language."""
    with for_member(member):
        text, email = words()
    notify(recipient=member, kind=kind, text=text, url=url, actor=actor)
    if member.email:
        queue_email(subject=text[:150], body=email, to=[member.email])


def _announce(penalty: Penalty) -> None:
    send_to_member(penalty.member_id, {"type": STANDING_EVENT, "scope": penalty.scope})


def _with_reason(text: str, reason: str, *, hidden_post: bool) -> str:
    if not reason:
        return text
    if hidden_post:
        return _("%(notice)s: %(reason)s") % {"notice": text, "reason": reason}
    return _("%(notice)s — %(reason)s") % {"notice": text, "reason": reason}


def _penalised_text(penalty: Penalty) -> str:
    words = {
        "verb": penalty.verb,
        "what": penalty.what,
        "scope": penalty.scope_label,
        "until": when(penalty.ends_at),
    }
    hidden_post = penalty.kind == Penalty.Kind.HIDDEN_POST
    if hidden_post:
        # Which post and why, in the bell itself; its link is the penalty page (appeal).
        if penalty.scope_label:
            text = _("A moderator hid your post %(scope)s") % words
        else:
            text = _("A moderator hid your post")
    elif penalty.moderator_id is None:
        text = _("You are %(what)s until %(until)s") % words
    elif penalty.scope_label:
        text = _("A moderator %(verb)s you %(scope)s until %(until)s") % words
    else:
        text = _("A moderator %(verb)s you until %(until)s") % words
    return _with_reason(text, penalty.reason_title, hidden_post=hidden_post)


def _tell_penalised(penalty: Penalty) -> None:
    def words() -> tuple[str, str]:
        body = render_to_string(
            "moderation/email/penalty.txt",
            {
                "penalty": penalty,
                "member": penalty.member,
                "appeal_url": absolute(signed_path(penalty)),
                "scope_url": absolute(penalty.scope_url) if penalty.scope_url else "",
                "SITE_NAME": settings.SITE_NAME,
            },
        )
        return _penalised_text(penalty), body

    _tell(
        penalty.member,
        kind="penalty",
        words=words,
        url=penalty.get_absolute_url(),
        actor=penalty.moderator,
    )


def _lifted_text(penalty: Penalty) -> str:
    words = {"kind": penalty.get_kind_display().lower(), "scope": penalty.scope_label}
    if penalty.kind == Penalty.Kind.HIDDEN_POST:
        if penalty.scope_label:
            return _("A moderator restored your post %(scope)s: it is visible again") % words
        return _("A moderator restored your post: it is visible again")
    if penalty.scope_label:
        return _("Your %(kind)s %(scope)s was lifted") % words
    return _("Your %(kind)s was lifted") % words


def _tell_lifted(penalty: Penalty, *, reply: str = "") -> None:
    def words() -> tuple[str, str]:
        body = render_to_string(
            "moderation/email/lifted.txt",
            {
                "penalty": penalty,
                "member": penalty.member,
                "reply": reply,
                "url": absolute(signed_path(penalty)),
                "SITE_NAME": settings.SITE_NAME,
            },
        )
        return " ".join(_lifted_text(penalty).split()), body

    _tell(
        penalty.member,
        kind="penalty_lifted",
        words=words,
        url=penalty.get_absolute_url(),
        actor=penalty.lifted_by,
    )


# --- penalties --------------------------------------------------------------------------


def _check_moderator(moderator: User | None) -> None:
    if moderator is None or not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))


@transaction.atomic
def record_penalty(
    *,
    member: User,
    kind: str,
    moderator: User | None,
    ends_at: datetime,
    reason: str = "",
    canned_reason: CannedReason | None = None,
    scope: str = "",
    scope_label: str = "",
    scope_url: str = "",
) -> Penalty:
    """Record a penalty the caller has just applied, and tell the member at once.

    A running penalty of the same kind and scope is replaced (closed as lifted, with
    that reason), so the member has one notice and one appeal per thing that stops them.
    """
    now = timezone.now()
    replaced = "Replaced by a newer penalty."
    Penalty.objects.active().filter(member=member, kind=kind, scope=scope).update(
        lifted_at=now, lifted_by=moderator, lift_reason=replaced
    )
    penalty = Penalty.objects.create(
        member=member,
        kind=kind,
        moderator=moderator,
        canned_reason=canned_reason,
        reason=reason[:300],
        starts_at=now,
        ends_at=ends_at,
        scope=scope,
        scope_label=scope_label[:120],
        scope_url=scope_url[:300],
    )
    _tell_penalised(penalty)
    _announce(penalty)
    trust.forget(member.pk)  # a penalty keeps a member from the regular level
    return penalty


@transaction.atomic
def record_lift(
    *, member: User, kinds: list[str], moderator: User, reason: str = "", scope: str = ""
) -> list[Penalty]:
    """Close the member's running penalties of ``kinds`` in ``scope`` that the caller has
    just lifted (its fast check already cleared), and tell the member."""
    penalties = list(
        Penalty.objects.active()
        .select_for_update()
        .filter(member=member, kind__in=kinds, scope=scope)
        .select_related("member")
    )
    for penalty in penalties:
        _close(penalty, moderator=moderator, reason=reason)
    return penalties


def _close(penalty: Penalty, *, moderator: User, reason: str, reply: str = "") -> None:
    penalty.lifted_at = timezone.now()
    penalty.lifted_by = moderator
    penalty.lift_reason = reason[:300]
    penalty.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    if penalty.open_ended:
        _close_pending_appeal(penalty, moderator=moderator)
    _tell_lifted(penalty, reply=reply)
    _announce(penalty)


def _close_pending_appeal(penalty: Penalty, *, moderator: User) -> None:
    """A hidden post restored by other means (the forum's own restore): its appeal has
    nothing left to decide, so it leaves the inbox as lifted, and a page drawn before
    that gets StaleItem instead of acting twice. The member hears of it once (lifted)."""
    Appeal.objects.filter(penalty=penalty, decided_at__isnull=True).update(
        decision=Appeal.Decision.LIFT,
        decided_by=moderator,
        decided_at=penalty.lifted_at,
        reply="A moderator restored your post before your appeal was read.",
    )


def _lock(penalty: Penalty) -> Penalty:
    return Penalty.objects.select_for_update().select_related("member").get(pk=penalty.pk)


def _enforce(penalty: Penalty) -> None:
    enforce = _enforcers.get(penalty.kind)
    if enforce is not None:
        enforce(penalty.member, penalty.scope)


@transaction.atomic
def lift_penalty(*, penalty: Penalty, moderator: User, reason: str) -> Penalty:
    """A moderator lifts one penalty early; the typed reason is kept and logged."""
    _check_moderator(moderator)
    reason = " ".join(reason.split())
    if not reason:
        raise PenaltyError(
            _("Say why you lift it; the reason goes to the audit log."), code="invalid"
        )
    penalty = _lock(penalty)
    if not penalty.is_active:
        raise PenaltyError(_("This penalty has already ended or been lifted."), code="stale")
    _close(penalty, moderator=moderator, reason=reason)
    _enforce(penalty)
    log(
        instance=penalty,
        action="hearth.penalty.lift",
        user=moderator,
        data=log_data(penalty, reason=reason),
    )
    return penalty


def log_data(penalty: Penalty, **extra: object) -> dict:
    """What the audit entry of a penalty keeps, so its sentence reads without joins."""
    return {
        "penalty": penalty.pk,
        "member": penalty.member.username,
        "member_id": penalty.member_id,
        "member_name": penalty.member.name,
        "kind": penalty.kind,
        "what": penalty.what,
        "against": penalty.against,
        "until": "" if penalty.open_ended else penalty.ends_at.isoformat(),
        "reason_title": penalty.reason_title,
        **extra,
    }


# --- silences and suspensions: this app keeps their fast checks in line -------------------


def _enforce_member_fields(member: User, scope: str) -> None:
    active = Penalty.objects.active().filter(member=member, scope="")
    silences = [p.ends_at for p in active if p.kind == Penalty.Kind.SILENCE]
    suspensions = [p for p in active if p.kind == Penalty.Kind.SUSPEND]
    member.silenced_until = max(silences) if silences else None
    if suspensions:
        latest = max(suspensions, key=lambda p: p.ends_at)
        member.suspended_until = latest.ends_at
    else:
        member.suspended_until = None
        member.suspension_reason = ""
    member.save(update_fields=["silenced_until", "suspended_until", "suspension_reason"])


register_enforcer(Penalty.Kind.SILENCE, _enforce_member_fields)
register_enforcer(Penalty.Kind.SUSPEND, _enforce_member_fields)


# --- appeals ----------------------------------------------------------------------------


@transaction.atomic
def appeal(*, penalty: Penalty, member: User, text: str) -> Appeal:
    """The member asks once, while the penalty lasts or a few days after, for a review."""
    if penalty.member_id != member.pk:
        raise PermissionDenied(_("You can appeal only your own penalties."))
    text = clean_text(text)
    if not text:
        raise PenaltyError(_("Tell the moderators why, in a few words."), code="invalid")
    penalty = _lock(penalty)
    refusal = why_not_appeal(penalty, appealed=Appeal.objects.filter(penalty=penalty).exists())
    if refusal is not None:
        raise refusal
    made = Appeal.objects.create(penalty=penalty, text=text[:2000])
    log(
        instance=penalty,
        action="hearth.appeal.create",
        user=member,
        data=log_data(penalty, appeal=made.pk),
    )
    # The inbox's bell, but not for the moderator who gave the penalty: another decides.
    review.announce(
        kind="appeal",
        key=str(made.pk),
        text=lambda: (
            _("%(name)s appealed against %(against)s and waits for a reply.")
            % {"name": penalty.member.name, "against": penalty.against}
        ),
        skip={pk for pk in (penalty.member_id, penalty.moderator_id) if pk is not None},
    )
    return made


def why_not_appeal(penalty: Penalty, *, appealed: bool) -> PenaltyError | None:
    """Why the member cannot appeal ``penalty`` now (``appealed``: they already did), or
    None when they can. The page hides its form on the same rule."""
    if appealed:
        return PenaltyError(_("You have already appealed this penalty."), code="duplicate")
    if not penalty.can_be_appealed:
        return PenaltyError(
            _(
                "This penalty can no longer be appealed: it was lifted or ended more than "
                "a few days ago."
            ),
            code="closed",
        )
    return None


@transaction.atomic
def decide_appeal(
    *,
    appeal: Appeal,
    moderator: User,
    decision: str,
    reply: str,
    new_ends_at: datetime | None = None,
) -> Appeal:
    """Uphold, shorten or lift; a moderator other than the one who gave the penalty.

    Checked against the current state with the appeal row locked: an appeal decided
    meanwhile raises ``community.review.StaleItem`` and changes nothing.
    """
    _check_moderator(moderator)
    locked = (
        Appeal.objects.select_for_update()
        .select_related("penalty", "penalty__member")
        .filter(pk=appeal.pk)
        .first()
    )
    if locked is None:
        raise review.StaleItem(_("That appeal no longer exists."))
    if locked.is_decided:
        raise review.StaleItem(
            _("Another moderator has already decided this appeal; nothing changed.")
        )
    penalty = _lock(locked.penalty)
    if penalty.moderator_id == moderator.pk:
        raise PenaltyError(
            _("You gave this penalty, so another moderator decides the appeal."), code="forbidden"
        )
    if penalty.open_ended and not penalty.is_active:
        raise review.StaleItem(_("The post was already restored; nothing changed."))
    if decision not in decisions_for(penalty):
        if penalty.open_ended:
            raise PenaltyError(
                _("Choose uphold or lift: a hidden post has no end."), code="invalid"
            )
        raise PenaltyError(_("Choose uphold, shorten or lift."), code="invalid")
    reply = clean_text(reply)
    if not reply:
        raise PenaltyError(_("Write a reply: the member reads it."), code="invalid")
    now = timezone.now()
    if decision == Appeal.Decision.SHORTEN:
        if new_ends_at is None or not now < new_ends_at < penalty.ends_at:
            raise PenaltyError(
                _("Choose a new end between now and the current end (%(end)s).")
                % {"end": when(penalty.ends_at)},
                code="invalid",
            )
        if not penalty.is_active:
            raise review.StaleItem(
                _("This penalty has already ended or been lifted; nothing changed.")
            )
        penalty.ends_at = new_ends_at
        penalty.save(update_fields=["ends_at"])
        _enforce(penalty)
        _announce(penalty)
    elif decision == Appeal.Decision.LIFT and penalty.is_active:
        penalty.lifted_at = now
        penalty.lifted_by = moderator
        penalty.lift_reason = f"Appeal upheld: {reply}"[:300]
        penalty.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        _enforce(penalty)
        _announce(penalty)
    locked.decision = decision
    locked.decided_by = moderator
    locked.decided_at = now
    locked.reply = reply[:2000]
    locked.new_ends_at = new_ends_at if decision == Appeal.Decision.SHORTEN else None
    locked.save(update_fields=["decision", "decided_by", "decided_at", "reply", "new_ends_at"])
    locked.penalty = penalty
    log(
        instance=penalty,
        action="hearth.appeal.decide",
        user=moderator,
        data=log_data(
            penalty,
            appeal=locked.pk,
            decision=decision,
            reply=reply[:300],
            new_until=locked.new_ends_at.isoformat() if locked.new_ends_at else "",
        ),
    )
    _tell_decided(locked)
    return locked


def decisions_for(penalty: Penalty) -> list[str]:
    """What an appeal against ``penalty`` can end in: no "shorten" without an end."""
    if penalty.open_ended:
        return [Appeal.Decision.UPHOLD, Appeal.Decision.LIFT]
    return list(Appeal.Decision.values)


def _decided_text(appeal: Appeal) -> str:
    penalty = appeal.penalty
    decision = Appeal.Decision(appeal.decision)
    words = {"end": when(penalty.ends_at), "scope": penalty.scope_label}
    if penalty.kind == Penalty.Kind.HIDDEN_POST and decision != Appeal.Decision.SHORTEN:
        if decision == Appeal.Decision.UPHOLD:
            if penalty.scope_label:
                return _("Your appeal was read: your post %(scope)s stays hidden") % words
            return _("Your appeal was read: your post stays hidden")
        if penalty.scope_label:
            return _("Your appeal was accepted: your post %(scope)s is visible again") % words
        return _("Your appeal was accepted: your post is visible again")
    if decision == Appeal.Decision.UPHOLD:
        return _("Your appeal was read: the penalty stands")
    if decision == Appeal.Decision.SHORTEN:
        return _("Your appeal was read: the penalty now ends %(end)s") % words
    return _("Your appeal was accepted: the penalty is lifted")


def _tell_decided(appeal: Appeal) -> None:
    penalty = appeal.penalty

    def words() -> tuple[str, str]:
        body = render_to_string(
            "moderation/email/decided.txt",
            {
                "appeal": appeal,
                "penalty": penalty,
                "member": penalty.member,
                "url": absolute(signed_path(penalty)),
                "SITE_NAME": settings.SITE_NAME,
            },
        )
        return _decided_text(appeal), body

    _tell(
        penalty.member,
        kind="appeal_decided",
        words=words,
        url=penalty.get_absolute_url(),
        actor=appeal.decided_by,
    )


# --- staff notes ------------------------------------------------------------------------


@transaction.atomic
def add_staff_note(*, member: User, author: User, text: str):
    _check_moderator(author)
    text = clean_text(text)
    if not text:
        raise PenaltyError(_("Write the note first."), code="invalid")
    return StaffNote.objects.create(member=member, author=author, text=text[:2000])
