"""Warm actions: the one door through which taking part earns recognition.

Every warm thing a member does (a first post, a solution, a reaction or helpful vote
received, a chat message others answered, a visit streak, a completed profile, an
answered survey, content that brought someone) goes through :func:`record`:

1. it checks the member may earn at all (:func:`why_member_cannot_earn`) and, when
   someone else caused it (``actor``), that the actor counts
   (``fraud.why_reaction_does_not_count``: not oneself, good standing, trust, no shared
   network or browser, no referral link between them);
2. it writes one :class:`~referrals.models.MemberAction` row (unique ``key``: a retry or
   a race records nothing);
3. it pays the action's points by the editable rule (``referrals.points``: capped per
   period, switched on or off);
4. after commit it sends :data:`action_recorded`, which badges, challenges and the
   surprise listen to.

:func:`revoke` undoes one (content removed): the row is marked revoked, its points get a
reversing row, and :data:`action_revoked` goes out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.dispatch import Signal
from django.utils import timezone

from community.live import send_signal_after_commit
from community.models import User
from referrals import fraud, points
from referrals.models import MemberAction, PointsEntry, Referral

logger = logging.getLogger(__name__)

# action_recorded(sender=MemberAction, action=<MemberAction>, entry=<PointsEntry or None>)
action_recorded = Signal()
# action_revoked(sender=MemberAction, action=<MemberAction>)
action_revoked = Signal()


@dataclass(frozen=True)
class Recorded:
    action: MemberAction
    entry: PointsEntry | None  # None when the rule is off or its cap is reached


def why_member_cannot_earn(member: User, *, now: datetime | None = None) -> str | None:
    """Why ``member`` earns nothing now, in plain words, or None when they may.

    Not while the account is closed or suspended, not before an email address is
    verified, and not while the member's own sign-up referral is held for review. One
    query, whatever the answer.
    """
    now = now or timezone.now()
    if not member.is_active:
        return "the account is closed"
    if member.suspended_until is not None and member.suspended_until > now:
        return "the account is suspended"
    verified, held = (
        User.objects.filter(pk=member.pk)
        .annotate(
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            held=Exists(Referral.objects.held().filter(referee=OuterRef("pk"))),
        )
        .values_list("verified", "held")
        .first()
    ) or (False, False)
    if not verified:
        return "no verified email address"
    if held:
        return "the member's own sign-up is held for review"
    return None


@transaction.atomic
def record(
    *,
    member: User,
    action: str,
    key: str,
    reason: str,
    actor: User | None = None,
    when: datetime | None = None,
    amount: int | None = None,
    place: str = "",
) -> Recorded | None:
    """Record ``member``'s warm ``action`` once per ``key`` and pay its points.

    ``place`` says where it happened ("forum.category:getting-started"), for challenges
    that count one place. ``amount`` overrides the rule's points (a challenge's reward,
    a surprise's draw). Returns None when it counted before, the member may not earn,
    or the ``actor`` does not count.
    """
    when = when or timezone.now()
    why = why_member_cannot_earn(member, now=when)
    if why is None and actor is not None:
        if actor.pk == member.pk:
            why = "one's own action on one's own content"
        else:
            referral = Referral.objects.filter(referee=member).first()
            why = fraud.why_reaction_does_not_count(reactor=actor, author=member, referral=referral)
    if why is not None:
        logger.debug("no credit for %s %s to member %s: %s", action, key, member.pk, why)
        return None
    full_key = f"{action}:{key}"[:200]
    row = MemberAction(
        member=member,
        action=action,
        key=full_key,
        actor=actor,
        reason=reason[:200],
        place=place[:120],
        created_at=when,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return None
    entry = points.reward(
        member=member,
        action=action,
        key=key,
        reason=reason,
        when=when,
        idempotency_key=full_key,
        amount=amount,
    )
    send_signal_after_commit(action_recorded, sender=MemberAction, action=row, entry=entry)
    return Recorded(row, entry)


@transaction.atomic
def revoke(*, action: str, key: str, reason: str) -> MemberAction | None:
    """Take back the recorded ``action`` for ``key`` (and its points), once."""
    full_key = f"{action}:{key}"[:200]
    now = timezone.now()
    updated = MemberAction.objects.filter(key=full_key, revoked_at__isnull=True).update(
        revoked_at=now
    )
    points.reverse_key(key=full_key, reason=reason)
    if not updated:
        return None
    row = MemberAction.objects.get(key=full_key)
    send_signal_after_commit(action_revoked, sender=MemberAction, action=row)
    return row


def counted(member: User, action: str, *, since: datetime | None = None) -> int:
    """How many of ``member``'s ``action`` still count (optionally since a moment)."""
    rows = MemberAction.objects.filter(member=member, action=action, revoked_at__isnull=True)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return rows.count()
