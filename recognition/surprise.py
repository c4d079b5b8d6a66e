"""The surprise: now and then a warm action earns a small, unexpected bonus.

Each eligible warm action draws once (the draw row is unique per action) and the draw
keeps what decided it: the random number, the odds, the month's budget and what was
left of it, the amount. A losing draw is one insert. A winning draw locks the month's
budget row (``SELECT ... FOR UPDATE``) and then takes its points with a conditional
``UPDATE ... WHERE spent + amount <= budget``, so concurrent winners queue on the row
and the budget is never exceeded; the last win of a month is cut down to what is left.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from community.actions import notify
from hearth.i18n import for_member
from recognition.challenges import challenges_url
from recognition.models import SurpriseBudget, SurpriseDraw, SurpriseSettings
from referrals import engagement, points
from referrals.models import MemberAction, PointsRule
from referrals.periods import month_of

SURPRISE = PointsRule.Action.SURPRISE.value
# Rewards themselves draw nothing, and a birthday is a bonus already.
NOT_DRAWN_FOR = {
    PointsRule.Action.CHALLENGE,
    PointsRule.Action.SURPRISE,
    PointsRule.Action.BIRTHDAY,
}

_system_random = secrets.SystemRandom()
Outcome = SurpriseDraw.Outcome


def may_draw(action: MemberAction, *, now: datetime) -> bool:
    if action.action in NOT_DRAWN_FOR or action.revoked_at is not None:
        return False
    return engagement.why_member_cannot_earn(action.member, now=now) is None


def _rule_is_on() -> bool:
    return points.rules().get(SURPRISE, (0, 0, "day", False))[3]


@transaction.atomic
def draw(
    *, action: MemberAction, rng: random.Random | None = None, now: datetime | None = None
) -> SurpriseDraw | None:
    """Draw once for ``action``; None when it may not draw, surprises are off, or it drew
    before."""
    now = now or timezone.now()
    rng = rng or _system_random
    if not may_draw(action, now=now):
        return None
    config = SurpriseSettings.load()
    if not config.is_on or not _rule_is_on():
        return None
    month = month_of(now).key
    value = rng.random()
    row = SurpriseDraw(
        action=action,
        member_id=action.member_id,
        action_key=action.key,
        value=value,
        odds=config.odds,
        budget=config.monthly_budget,
        month=month,
        created_at=now,
    )
    if value * config.odds >= 1:  # lost: value < 1/odds wins
        spent = SurpriseBudget.objects.filter(month=month).values_list("spent", flat=True).first()
        row.budget_left = max(config.monthly_budget - (spent or 0), 0)
        row.outcome = Outcome.LOST
        return row if _insert(row) else None

    SurpriseBudget.objects.bulk_create([SurpriseBudget(month=month)], ignore_conflicts=True)
    budget = SurpriseBudget.objects.select_for_update().get(month=month)
    left = max(config.monthly_budget - budget.spent, 0)
    row.budget_left = left
    amount = min(rng.randint(config.min_points, max(config.max_points, config.min_points)), left)
    if amount <= 0:
        row.outcome = Outcome.BUDGET_SPENT
        return row if _insert(row) else None
    row.amount = amount
    row.outcome = Outcome.WON
    if not _insert(row):
        return None
    # The lock above already queues winners; the condition keeps the budget even where
    # SELECT ... FOR UPDATE is a no-op (SQLite serialises writers instead).
    taken = SurpriseBudget.objects.filter(
        pk=budget.pk, spent__lte=config.monthly_budget - amount
    ).update(spent=F("spent") + amount)
    recorded = (
        engagement.record(
            member=action.member,
            action=SURPRISE,
            key=action.key,
            reason=_for(action.member, gettext_noop("A little surprise, for taking part")),
            when=now,
            amount=amount,
        )
        if taken
        else None
    )
    if recorded is None or recorded.entry is None:
        if taken:
            SurpriseBudget.objects.filter(pk=budget.pk).update(spent=F("spent") - amount)
        row.amount = 0
        row.outcome = Outcome.NOT_PAID if taken else Outcome.BUDGET_SPENT
        row.save(update_fields=["amount", "outcome"])
        return row
    notify(
        recipient=action.member,
        kind="surprise",
        text=_for(action.member, surprise_text, amount, action),
        url=challenges_url(),
    )
    return row


def take_back(*, action: MemberAction) -> bool:
    """The action's content was removed: its surprise points go back with its own (so
    posting and deleting cannot farm surprises). The month's budget stays spent."""
    won = SurpriseDraw.objects.filter(action=action, outcome=Outcome.WON).exists()
    if not won:
        return False
    return (
        engagement.revoke(
            action=SURPRISE,
            key=action.key,
            reason=_for(
                action.member, gettext_noop("Surprise taken back: the contribution was removed")
            ),
        )
        is not None
    )


def _insert(row: SurpriseDraw) -> bool:
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return False  # this action drew before
    return True


def _for(member, text, *args) -> str:
    """Words kept for ``member`` (a ledger line, a bell), written in their language."""
    with for_member(member):
        return text(*args) if callable(text) else _(text)


def surprise_text(amount: int, action: MemberAction) -> str:
    try:
        what = str(PointsRule.Action(action.action).label)
    except ValueError:
        what = _("taking part")
    gained = ngettext("+%(n)d point", "+%(n)d points", amount) % {"n": amount}
    return _("A little surprise: %(gained)s — thank you for %(what)s!") % {
        "gained": gained,
        "what": what,
    }
