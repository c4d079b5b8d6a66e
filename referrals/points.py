"""The points ledger: rows with unique idempotency keys, reversals as new rows.

Only action functions call these (inside their transactions); they never check before
inserting, they insert and let the unique constraints say no.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import ngettext

from community.models import User
from referrals.models import PointsEntry, PointsRule, Referral

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Used when the rules table has no row for an action (a fresh database before the
# data migration, or an editor deleted a row): the same defaults the migration seeds.
DEFAULT_RULES = {
    PointsRule.Action.TOPIC: (3, 5, PointsRule.Period.DAY),
    PointsRule.Action.POST: (2, 10, PointsRule.Period.DAY),
    PointsRule.Action.GUIDE: (30, 4, PointsRule.Period.MONTH),
    PointsRule.Action.CHAT: (1, 10, PointsRule.Period.DAY),
    PointsRule.Action.REACTION_RECEIVED: (1, 20, PointsRule.Period.DAY),
    PointsRule.Action.REFERRAL_CONVERTED: (50, 0, PointsRule.Period.DAY),
    PointsRule.Action.REFERRAL_PURCHASE: (25, 0, PointsRule.Period.DAY),
    # Once a year by its own rule (referrals.greetings), so no cap here.
    PointsRule.Action.BIRTHDAY: (10, 0, PointsRule.Period.DAY),
    # Warm actions (referrals.engagement). Taking part is worth more than a purchase:
    # a solution and a guide each pay more than REFERRAL_PURCHASE (0007_points_defaults).
    PointsRule.Action.SOLUTION: (30, 10, PointsRule.Period.DAY),
    PointsRule.Action.FIRST_POST: (5, 0, PointsRule.Period.DAY),
    PointsRule.Action.HELPFUL_VOTE: (3, 20, PointsRule.Period.DAY),
    PointsRule.Action.CONVERSATION: (2, 5, PointsRule.Period.DAY),
    PointsRule.Action.STREAK: (10, 1, PointsRule.Period.WEEK),
    PointsRule.Action.PROFILE: (10, 0, PointsRule.Period.DAY),
    PointsRule.Action.SURVEY: (10, 0, PointsRule.Period.DAY),
    PointsRule.Action.RECRUITING_CONTENT: (30, 10, PointsRule.Period.MONTH),
    # Challenges and surprises pay their own amount (``reward(amount=...)``); the rule
    # still switches them off and caps how often.
    PointsRule.Action.CHALLENGE: (0, 0, PointsRule.Period.DAY),
    PointsRule.Action.SURPRISE: (0, 0, PointsRule.Period.DAY),
}
_RULES_CACHE_KEY = "referrals:points-rules"


def rules() -> dict[str, tuple[int, int, str, bool]]:
    cached = cache.get(_RULES_CACHE_KEY)
    if cached is None:
        cached = {
            action: (points, cap, period, True)
            for action, (points, cap, period) in DEFAULT_RULES.items()
        }
        for rule in PointsRule.objects.all():
            cached[rule.action] = (rule.points, rule.cap, rule.cap_period, rule.enabled)
        cache.set(_RULES_CACHE_KEY, cached, 300)
    return cached


def forget_rules() -> None:
    cache.delete(_RULES_CACHE_KEY)


def _period_key(period: str, moment: datetime) -> str:
    local = timezone.localtime(moment)
    if period == PointsRule.Period.MONTH:
        return f"{local:%Y-%m}"
    if period == PointsRule.Period.WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local:%Y-%m-%d}"


def _insert(entry: PointsEntry) -> bool:
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def reward(
    *,
    member: User,
    action: str,
    key: str,
    reason: str,
    referral: Referral | None = None,
    when: datetime | None = None,
    idempotency_key: str = "",
    amount: int | None = None,
) -> PointsEntry | None:
    """Pay ``member`` for ``action`` once per ``key``, within the rule's cap.

    Returns the new ledger row, or None when it was paid before, the cap is reached or
    the rule is switched off.
    """
    points, cap, period, enabled = rules().get(action, (0, 0, "day", False))
    if amount is not None:  # a challenge's reward or a surprise's draw
        points = amount
    if not enabled or points <= 0:
        return None
    idempotency_key = idempotency_key or f"{action}:{key}"
    if PointsEntry.objects.filter(idempotency_key=idempotency_key).exists():
        return None  # the common retry; the constraint below still decides under races
    entry = PointsEntry(
        member=member,
        amount=points,
        reason=reason[:200],
        idempotency_key=idempotency_key,
        referral=referral,
    )
    if not cap:
        return entry if _insert(entry) else None
    period_key = _period_key(period, when or timezone.now())
    prefix = f"cap:{action}:{member.pk}:{period_key}:"
    # Count the slots taken once instead of probing each: a member at the cap costs one
    # query, not one failed insert per slot. The unique slots still decide under races.
    taken = PointsEntry.objects.filter(member=member, cap_slot__startswith=prefix).count()
    if taken >= cap:
        return None
    for slot in range(taken + 1, cap + 1):
        entry.pk = None
        entry.cap_slot = f"{prefix}{slot}"
        if _insert(entry):
            return entry
        if PointsEntry.objects.filter(idempotency_key=idempotency_key).exists():
            return None  # paid by a concurrent call
    return None


def reverse(*, entry: PointsEntry, reason: str) -> PointsEntry | None:
    """Add the reversing row for ``entry`` (once: the one-to-one ``reverses`` says so)."""
    reversal = PointsEntry(
        member_id=entry.member_id,
        amount=-entry.amount,
        reason=reason[:200],
        idempotency_key=f"reverse:{entry.idempotency_key}"[:200],
        referral_id=entry.referral_id,
        reverses=entry,
    )
    return reversal if _insert(reversal) else None


def reverse_key(*, key: str, reason: str) -> PointsEntry | None:
    entry = PointsEntry.objects.filter(idempotency_key=key).first()
    if entry is None:
        return None
    return reverse(entry=entry, reason=reason)


def balance(member: User) -> int:
    return PointsEntry.objects.filter(member=member).aggregate(total=Sum("amount"))["total"] or 0


# --- The member's ledger, in plain words (the /points/ page) -----------------------------

# Actions whose many small rewards a day read better as one line ("+1 × 12 chat
# messages"): what the line says for n of them.
_COLLAPSED_WORDS: dict[str, Callable[[int], str]] = {
    PointsRule.Action.CHAT: lambda n: ngettext("chat message", "chat messages", n),
    PointsRule.Action.POST: lambda n: ngettext("forum reply", "forum replies", n),
    PointsRule.Action.TOPIC: lambda n: ngettext("topic started", "topics started", n),
    PointsRule.Action.REACTION_RECEIVED: lambda n: ngettext(
        "reaction from others", "reactions from others", n
    ),
    PointsRule.Action.HELPFUL_VOTE: lambda n: ngettext(
        "helpful vote on your guides", "helpful votes on your guides", n
    ),
    PointsRule.Action.CONVERSATION: lambda n: ngettext(
        "chat conversation you started", "chat conversations you started", n
    ),
}


@dataclass(frozen=True)
class LedgerLine:
    """One line of the points page: one ledger row, or several alike rows of one day."""

    amount: int  # of each row
    count: int
    day: date
    at: datetime  # the newest row's moment
    text: str
    taken_back: str = ""  # a reversal: the reason of the row it takes back

    @property
    def total(self) -> int:
        return self.amount * self.count

    @property
    def signed(self) -> str:
        # A real minus sign: a hyphen is easy to miss and reads badly aloud.
        return f"+{self.amount}" if self.amount >= 0 else f"\u2212{-self.amount}"

    @property
    def is_reversal(self) -> bool:
        return self.amount < 0


def ledger_groups(member: User) -> QuerySet:
    """``member``'s ledger as one database row per line, newest first: rows of a
    collapsible action with the same amount on the same local day share a line, every
    other row (reversals included) is a line of its own. Paginate this, then
    :func:`ledger_lines` turns a page into words with one more query."""
    kind = Case(
        *[
            When(
                Q(idempotency_key__startswith=f"{action}:", reverses__isnull=True),
                then=Value(str(action)),
            )
            for action in _COLLAPSED_WORDS
        ],
        default=Value(""),
        output_field=CharField(),
    )
    return (
        PointsEntry.objects.filter(member=member)
        .annotate(
            kind=kind,
            day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()),
        )
        .annotate(solo=Case(When(kind="", then=F("id")), default=Value(0)))
        .values("kind", "day", "amount", "solo")
        .annotate(n=Count("id"), newest=Max("created_at"), last_id=Max("id"))
        .order_by("-newest", "-last_id")
    )


def ledger_lines(groups: Iterable[dict]) -> list[LedgerLine]:
    groups = list(groups)
    single = [group["last_id"] for group in groups if group["n"] == 1]
    rows = PointsEntry.objects.select_related("reverses").in_bulk(single) if single else {}
    lines = []
    for group in groups:
        base = {
            "amount": group["amount"],
            "count": group["n"],
            "day": group["day"],
            "at": group["newest"],
        }
        row = rows.get(group["last_id"]) if group["n"] == 1 else None
        if row is not None:
            taken_back = row.reverses.reason if row.reverses is not None else ""
            lines.append(LedgerLine(**base, text=row.reason, taken_back=taken_back))
        else:
            lines.append(LedgerLine(**base, text=_COLLAPSED_WORDS[group["kind"]](group["n"])))
    return lines


def earning_rules() -> list[tuple[StrOrPromise, int]]:
    """What earns points now, most first: (what, points) of each switched-on rule that
    pays a fixed amount."""
    labels = dict(PointsRule.Action.choices)
    paying = [
        (labels.get(action, action), points)
        for action, (points, _cap, _period, enabled) in rules().items()
        if enabled and points > 0
    ]
    return sorted(paying, key=lambda item: (-item[1], item[0]))
