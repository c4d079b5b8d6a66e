"""Challenge verbs: complete the challenges a member's new action finished, once, and pay.

Called after a warm action is recorded (``referrals.engagement.action_recorded``) and
after a referral converts. Progress is always counted from the rows (one query for all
active challenges), never kept in a counter, so a revoked action simply stops counting.
A completion is a unique row: whichever of two racing calls inserts it pays, the other
does nothing; the reward (points through ``engagement.record`` with its own key, a badge
through the badge table's unique row) stays once paid.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from community.actions import notify
from community.models import User
from hearth.i18n import for_member
from recognition.models import Challenge, ChallengeCompletion, active_audiences
from referrals import badges, engagement
from referrals.models import PointsRule

logger = logging.getLogger(__name__)

CHALLENGE = PointsRule.Action.CHALLENGE.value


def challenges_url() -> str:
    return reverse("recognition:challenges")


def reward_key(challenge: Challenge, member: User) -> str:
    """The warm action's key without its "challenge:" prefix (engagement adds it)."""
    return f"{challenge.pk}:member:{member.pk}"


def note_progress(
    *, member: User, action: str, now: datetime | None = None
) -> list[ChallengeCompletion]:
    """Complete each active challenge counting ``action`` whose goal ``member`` reached."""
    now = now or timezone.now()
    if not active_audiences(now):
        return []  # no challenge today (cached): nothing to check, no query
    if engagement.why_member_cannot_earn(member, now=now) is not None:
        return []
    reached = [
        challenge
        for challenge in Challenge.objects.for_member(member, now).filter(
            action=action, completed_at__isnull=True
        )
        if challenge.progress >= challenge.goal
    ]
    completions = []
    for challenge in reached:
        completion = complete(member=member, challenge=challenge, now=now)
        if completion is not None:
            completions.append(completion)
    return completions


@transaction.atomic
def complete(
    *, member: User, challenge: Challenge, now: datetime | None = None
) -> ChallengeCompletion | None:
    """Record that ``member`` completed ``challenge`` and pay its reward, once."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            completion = ChallengeCompletion.objects.create(
                challenge=challenge, member=member, completed_at=now, badge=challenge.reward_badge
            )
    except IntegrityError:
        return None  # completed by a concurrent or earlier call
    # Recorded even without points: completing a challenge is a warm action too.
    recorded = engagement.record(
        member=member,
        action=CHALLENGE,
        key=reward_key(challenge, member),
        reason=_in_language_of(
            member, gettext_noop("Completed the challenge “%(title)s”"), title=challenge.title
        ),
        when=now,
        amount=challenge.reward_points,
    )
    if recorded is not None and recorded.entry is not None:
        completion.points = recorded.entry.amount
        completion.save(update_fields=["points"])
    badge = badges.get(challenge.reward_badge) if challenge.reward_badge else None
    if badge is not None:
        badges.grant(member=member, badge=badge, now=now)  # once; the bell says so too
    notify(
        recipient=member,
        kind="challenge_completed",
        text=_in_language_of(member, completed_text, challenge, paid_points=completion.points),
        url=challenges_url(),
    )
    return completion


def _in_language_of(member, text, *args, **params) -> str:
    """Words kept for ``member`` (a ledger line, a bell), written in their language."""
    with for_member(member):
        if callable(text):
            return text(*args, **params)
        return _(text) % params


def completed_text(challenge: Challenge, *, paid_points: int) -> str:
    title = challenge.title
    points = ngettext("+%(n)d point", "+%(n)d points", paid_points) % {"n": paid_points}
    badge = challenge.reward_badge_name
    if paid_points and challenge.reward_badge:
        return _(
            "You completed the challenge “%(title)s”: %(points)s and the “%(badge)s” badge. "
            "Thank you!"
        ) % {"title": title, "points": points, "badge": badge}
    if paid_points:
        return _("You completed the challenge “%(title)s”: %(points)s. Thank you!") % {
            "title": title,
            "points": points,
        }
    if challenge.reward_badge:
        return _("You completed the challenge “%(title)s”: the “%(badge)s” badge. Thank you!") % {
            "title": title,
            "badge": badge,
        }
    return _("You completed the challenge “%(title)s”. Thank you!") % {"title": title}
