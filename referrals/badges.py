"""The badge catalogue, and granting and taking back badges by its rules.

Each :class:`Badge` says in plain words how to earn it and holds its rule: a function
of cheap indexed data (un-revoked ``MemberAction`` counts, the all-time referral score,
visit days, the join date). Badges come three ways, all through :func:`grant`:

- :func:`on_action_recorded` (``engagement.action_recorded``) checks only the badges
  the recorded action can affect;
- ``actions._award_badges`` grants the referral badges when a conversion is credited;
- :func:`daily_pass` (``manage.py grant_badges``) grants the time-based ones (a year a
  member, a 30-day visit streak), and is a free retry of everything else.

A badge is taken back by the same rules as points: when an action is revoked (the
content removed), :func:`on_action_revoked` re-checks the badges that action counts
towards and removes those whose rule no longer holds, telling the member plainly.
Every grant is one unique row (``badge_once``), so a retry or a race grants once.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from community import segments
from community.actions import notify
from community.badges import BadgeLabel, badges_changed
from community.models import MemberDay, User
from hearth.commit import after_commit
from hearth.i18n import for_member
from referrals import engagement
from referrals.models import MemberAction, MemberBadge, PointsRule, ReferralScore
from referrals.periods import ALL_TIME

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

Action = PointsRule.Action

BRONZE, SILVER, GOLD = "bronze", "silver", "gold"
# Highest first: the order of the /badges/ page and of "top badge".
TIERS: list[tuple[str, StrOrPromise]] = [
    (GOLD, gettext_lazy("Gold")),
    (SILVER, gettext_lazy("Silver")),
    (BRONZE, gettext_lazy("Bronze")),
]
TIER_LABEL = dict(TIERS)
TIER_RANK = {GOLD: 3, SILVER: 2, BRONZE: 1}

HELPFUL_GUIDE_VOTES = 25
STREAK_DAYS = 30
MEMBER_FOR = timedelta(days=365)

EARNED_KIND = "badge_earned"
REVOKED_KIND = "badge_revoked"

# rule(member, row): does ``member`` meet the badge's rule? ``row`` is the action just
# recorded or revoked (None from the daily pass); a rule may use it as a shortcut.
Rule = Callable[[User, MemberAction | None], bool]


@dataclass(frozen=True)
class Badge:
    key: str
    # Marked for translation; ``name`` and ``how`` give them in the active language.
    name_text: str | Promise
    tier: str
    how_text: str | Promise  # how to earn it, in plain words: "Publish your first guide."
    rule: Rule
    # Recording one of these may earn it; revoking one re-checks it (when ``revocable``).
    actions: frozenset[str] = field(default_factory=frozenset)
    revocable: bool = True
    # Referral badges keep the bell wording and kind they always had.
    notify_kind: str = EARNED_KIND
    earned_text: Callable[[Badge], str] | None = None

    @property
    def name(self) -> str:
        return str(self.name_text)

    @property
    def how(self) -> str:
        return str(self.how_text)

    @property
    def tier_label(self) -> str:
        return str(TIER_LABEL[self.tier])

    @property
    def rank(self) -> int:
        return TIER_RANK[self.tier]

    def get_absolute_url(self) -> str:
        return reverse("referrals:badge", args=[self.key])

    def label(self) -> BadgeLabel:
        # Plain strings in the active language: pages cache what they render per language.
        return BadgeLabel(
            self.key, str(self.name), self.tier, str(self.tier_label), self.get_absolute_url()
        )

    def holds(self, member: User, row: MemberAction | None = None) -> bool:
        return self.rule(member, row)

    def congratulation(self) -> str:
        if self.earned_text is not None:
            return self.earned_text(self)
        return _("You earned the %(tier)s badge “%(name)s”: %(how)s") % {
            "tier": str(self.tier_label).lower(),
            "name": self.name,
            "how": self.how,
        }


# --- Rules ---------------------------------------------------------------------------------


def _counted(actions: Iterable[str], at_least: int) -> Rule:
    wanted = list(actions)

    def rule(member: User, row: MemberAction | None) -> bool:
        rows = MemberAction.objects.filter(
            member=member, action__in=wanted, revoked_at__isnull=True
        )
        return rows[:at_least].count() >= at_least if at_least > 1 else rows.exists()

    return rule


def guide_of(row: MemberAction) -> str:
    """The guide a helpful vote is about: its key is "helpful_vote:<guide>:<voter id>",
    the way a reaction's is "<content>:<reactor id>" (``actions.note_reaction``)."""
    return row.key.removeprefix(f"{row.action}:").rpartition(":")[0]


def _votes_for(member: User, guide: str) -> int:
    return MemberAction.objects.filter(
        member=member,
        action=Action.HELPFUL_VOTE,
        key__startswith=f"{Action.HELPFUL_VOTE}:{guide}:",
        revoked_at__isnull=True,
    ).count()


def _a_helpful_guide(member: User, row: MemberAction | None) -> bool:
    # A vote just recorded can only lift its own guide; otherwise look at them all.
    if (
        row is not None
        and guide_of(row)
        and _votes_for(member, guide_of(row)) >= HELPFUL_GUIDE_VOTES
    ):
        return True
    if row is not None and row.revoked_at is None:
        return False
    keys = MemberAction.objects.filter(
        member=member, action=Action.HELPFUL_VOTE, revoked_at__isnull=True
    ).values_list("key", flat=True)
    votes = Counter(guide_of(MemberAction(action=Action.HELPFUL_VOTE, key=key)) for key in keys)
    return any(n >= HELPFUL_GUIDE_VOTES for guide, n in votes.items() if guide)


def visit_streak(member_id: int, *, today=None) -> bool:
    """Visited on each of the last 30 days (ending today or yesterday)."""
    today = today or timezone.localdate()
    since = today - timedelta(days=STREAK_DAYS)
    days = set(
        MemberDay.objects.filter(member_id=member_id, day__gte=since, day__lte=today).values_list(
            "day", flat=True
        )
    )
    ending_today = all(today - timedelta(days=n) in days for n in range(STREAK_DAYS))
    return ending_today or all(today - timedelta(days=n + 1) in days for n in range(STREAK_DAYS))


def _streak(member: User, row: MemberAction | None) -> bool:
    return visit_streak(member.pk)


def _a_year_a_member(member: User, row: MemberAction | None) -> bool:
    return member.date_joined <= timezone.now() - MEMBER_FOR


def _converted(at_least: int) -> Rule:
    def rule(member: User, row: MemberAction | None) -> bool:
        total = (
            ReferralScore.objects.filter(member=member, period=ALL_TIME)
            .values_list("converted", flat=True)
            .first()
        )
        return (total or 0) >= at_least

    return rule


def _friends_text(threshold: int) -> Callable[[Badge], str]:
    def text(badge: Badge) -> str:
        return ngettext(
            "You earned the “%(name)s” badge: %(n)d friend took part for real.",
            "You earned the “%(name)s” badge: %(n)d friends took part for real.",
            threshold,
        ) % {"name": badge.name, "n": threshold}

    return text


def _referral_badge(
    threshold: int, key: str, name: StrOrPromise, tier: str, how: StrOrPromise
) -> Badge:
    # Granted and taken back with the referral's credit (actions._credit/_uncredit).
    return Badge(
        key,
        name,
        tier,
        how,
        _converted(threshold),
        revocable=False,
        notify_kind="referral_badge",
        earned_text=_friends_text(threshold),
    )


# --- The catalogue ---------------------------------------------------------------------------

CATALOGUE: list[Badge] = [
    Badge(
        "first_post",
        gettext_lazy("First post"),
        BRONZE,
        gettext_lazy("Start a topic or reply in the forum for the first time."),
        _counted([Action.FIRST_POST, Action.TOPIC, Action.POST], 1),
        frozenset({Action.FIRST_POST, Action.TOPIC, Action.POST}),
    ),
    Badge(
        "first_solution",
        gettext_lazy("First solution"),
        BRONZE,
        gettext_lazy("Write a reply that is marked as the solution to a question."),
        _counted([Action.SOLUTION], 1),
        frozenset({Action.SOLUTION}),
    ),
    Badge(
        "helping_hand",
        gettext_lazy("Helping hand"),
        SILVER,
        gettext_lazy("Have 10 of your replies marked as the solution."),
        _counted([Action.SOLUTION], 10),
        frozenset({Action.SOLUTION}),
    ),
    Badge(
        "fount_of_wisdom",
        gettext_lazy("Fount of wisdom"),
        GOLD,
        gettext_lazy("Have 50 of your replies marked as the solution."),
        _counted([Action.SOLUTION], 50),
        frozenset({Action.SOLUTION}),
    ),
    Badge(
        "first_guide",
        gettext_lazy("First guide"),
        BRONZE,
        gettext_lazy("Publish your first guide."),
        _counted([Action.GUIDE], 1),
        frozenset({Action.GUIDE}),
    ),
    Badge(
        "helpful_guide",
        gettext_lazy("Helpful guide"),
        GOLD,
        format_lazy(
            ngettext_lazy(
                "Write a guide that {count} member found helpful.",
                "Write a guide that {count} members found helpful.",
                HELPFUL_GUIDE_VOTES,
            ),
            count=HELPFUL_GUIDE_VOTES,
        ),
        _a_helpful_guide,
        frozenset({Action.HELPFUL_VOTE}),
    ),
    Badge(
        "well_liked",
        gettext_lazy("Well liked"),
        SILVER,
        gettext_lazy("Receive 100 reactions from other members."),
        _counted([Action.REACTION_RECEIVED], 100),
        frozenset({Action.REACTION_RECEIVED}),
    ),
    Badge(
        "visit_streak",
        gettext_lazy("Thirty days in a row"),
        SILVER,
        format_lazy(
            ngettext_lazy(
                "Visit the site every day for {count} day in a row.",
                "Visit the site every day for {count} days in a row.",
                STREAK_DAYS,
            ),
            count=STREAK_DAYS,
        ),
        _streak,
        frozenset({Action.STREAK}),
        revocable=False,  # a streak once made stays made
    ),
    Badge(
        "one_year",
        gettext_lazy("One year with us"),
        BRONZE,
        gettext_lazy("Be a member for a year."),
        _a_year_a_member,
        revocable=False,
    ),
    _referral_badge(
        1,
        "first_friend",
        gettext_lazy("First friend"),
        BRONZE,
        gettext_lazy("A friend you invited takes part for real."),
    ),
    _referral_badge(
        3,
        "good_company",
        gettext_lazy("Good company"),
        SILVER,
        gettext_lazy("Three friends you invited take part for real."),
    ),
    _referral_badge(
        10,
        "hearth_builder",
        gettext_lazy("Hearth builder"),
        GOLD,
        gettext_lazy("Ten friends you invited take part for real."),
    ),
]
BY_KEY: dict[str, Badge] = {badge.key: badge for badge in CATALOGUE}
REFERRAL_BADGES = {"first_friend": 1, "good_company": 3, "hearth_builder": 10}


def get(key: str) -> Badge | None:
    return BY_KEY.get(key)


def by_tier() -> list[tuple[str, StrOrPromise, list[Badge]]]:
    """(tier, "Gold", badges) from gold down, each tier in catalogue order."""
    return [(tier, label, [b for b in CATALOGUE if b.tier == tier]) for tier, label in TIERS]


def affected_by(action: str) -> list[Badge]:
    return [badge for badge in CATALOGUE if action in badge.actions]


# --- Granting and taking back ---------------------------------------------------------------


def _tell_pages() -> None:
    """Pages that keep rendered copies with badges beside names draw them anew: told now
    and again after commit (a page rendered in between still read the old rows)."""

    def tell() -> None:
        badges_changed.send(sender=MemberBadge)

    tell()
    after_commit(tell, what="telling pages a badge changed")


def grant(*, member: User, badge: Badge, now: datetime | None = None) -> MemberBadge | None:
    """Give ``member`` the badge once, and tell them (bell and a live toast).

    The caller has checked the rule. None when they had it already (also when a
    concurrent grant won the race).
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            row = MemberBadge.objects.create(member=member, badge=badge.key, awarded_at=now)
            _tell_pages()
            # The bell's frame is also the toast (static/js/site.js shows badge kinds).
            with for_member(member):
                text = badge.congratulation()
            notify(
                recipient=member,
                kind=badge.notify_kind,
                text=text,
                url=badge.get_absolute_url(),
            )
    except IntegrityError:
        return None
    logger.info("badge %s granted to member %s", badge.key, member.pk)
    return row


def take_back(*, member: User, badge: Badge, because: str) -> bool:
    """Remove the badge when its rule no longer holds, telling the member why."""
    with transaction.atomic():
        deleted, _rows = MemberBadge.objects.filter(member=member, badge=badge.key).delete()
        if not deleted:
            return False
        _tell_pages()
        with for_member(member):
            text = _(
                "The %(tier)s badge “%(name)s” is no longer yours: %(because)s Badges follow "
                "the same rules as points; you can earn it again."
            ) % {"tier": str(badge.tier_label).lower(), "name": badge.name, "because": because}
        notify(
            recipient=member,
            kind=REVOKED_KIND,
            text=text,
            url=badge.get_absolute_url(),
        )
    return True


def check(member: User, candidates: Iterable[Badge], row: MemberAction | None = None) -> list[str]:
    """Grant whichever of ``candidates`` the member has now earned; return their keys."""
    candidates = list(candidates)
    if not candidates or engagement.why_member_cannot_earn(member) is not None:
        return []
    held = set(
        MemberBadge.objects.filter(
            member=member, badge__in=[b.key for b in candidates]
        ).values_list("badge", flat=True)
    )
    granted = []
    for badge in candidates:
        if badge.key not in held and badge.holds(member, row) and grant(member=member, badge=badge):
            granted.append(badge.key)
    return granted


@receiver(engagement.action_recorded, dispatch_uid="referrals.badges.action_recorded")
def on_action_recorded(sender, action: MemberAction, **kwargs) -> None:
    check(action.member, affected_by(action.action), action)


@receiver(engagement.action_revoked, dispatch_uid="referrals.badges.action_revoked")
def on_action_revoked(sender, action: MemberAction, **kwargs) -> None:
    revocable = [badge for badge in affected_by(action.action) if badge.revocable]
    if not revocable:
        return
    member = action.member
    held = set(
        MemberBadge.objects.filter(member=member, badge__in=[b.key for b in revocable]).values_list(
            "badge", flat=True
        )
    )
    for badge in revocable:
        if badge.key in held and not badge.holds(member, action):
            with for_member(member):
                because = _(
                    "something that earned it no longer counts (%(reason)s). To hold it: %(how)s"
                ) % {"reason": action.reason, "how": badge.how}
            take_back(member=member, badge=badge, because=because)


def daily_pass(*, now: datetime | None = None) -> int:
    """Grant the badges time brings (a year a member, a 30-day visit streak). Idempotent;
    returns how many were granted."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    standing = User.objects.in_good_standing()
    granted = 0
    year = BY_KEY["one_year"]
    for member in standing.filter(date_joined__lte=now - MEMBER_FOR).exclude(
        referral_badges__badge=year.key
    ):
        granted += grant(member=member, badge=year, now=now) is not None
    regular = BY_KEY["visit_streak"]
    # Every day of the 30 that ended yesterday (today may not have had its visit yet).
    streaks = (
        MemberDay.objects.filter(
            day__gte=today - timedelta(days=STREAK_DAYS), day__lte=today - timedelta(days=1)
        )
        .values("member_id")
        .annotate(days=Count("id"))
        .filter(days__gte=STREAK_DAYS)
        .values("member_id")
    )
    for member in standing.filter(pk__in=streaks).exclude(referral_badges__badge=regular.key):
        granted += grant(member=member, badge=regular, now=now) is not None
    return granted


# --- Reading ------------------------------------------------------------------------------


def badges_of(member: User) -> list[tuple[Badge, MemberBadge]]:
    """The member's badges, highest tier first, then newest."""
    rows = [
        (BY_KEY[row.badge], row)
        for row in MemberBadge.objects.filter(member=member)
        if row.badge in BY_KEY
    ]
    rows.sort(key=lambda pair: (-pair[0].rank, -pair[1].awarded_at.timestamp()))
    return rows


def holder_counts() -> dict[str, int]:
    """How many members in good standing hold each badge (one query)."""
    rows = (
        MemberBadge.objects.filter(member__in=User.objects.in_good_standing())
        .values("badge")
        .annotate(n=Count("id"))
    )
    return {row["badge"]: row["n"] for row in rows}


def holders(badge: Badge) -> QuerySet[MemberBadge]:
    """Who holds ``badge`` (members in good standing), newest first."""
    return (
        MemberBadge.objects.filter(badge=badge.key, member__in=User.objects.in_good_standing())
        .select_related("member")
        .order_by("-awarded_at", "-id")
    )


def top_badges_of(member_ids: list[int]) -> dict[int, BadgeLabel]:
    """Each member's top badge (highest tier, then newest), in one query: the lookup
    community shows next to names (``community.badges``)."""
    best: dict[int, tuple[tuple[int, float], Badge]] = {}
    rows = MemberBadge.objects.filter(member_id__in=member_ids).values_list(
        "member_id", "badge", "awarded_at"
    )
    for member_id, key, awarded_at in rows:
        badge = BY_KEY.get(key)
        if badge is None:
            continue
        score = (badge.rank, awarded_at.timestamp())
        if member_id not in best or score > best[member_id][0]:
            best[member_id] = (score, badge)
    return {member_id: _label(badge.key) for member_id, (_, badge) in best.items()}


def _label(key: str) -> BadgeLabel:
    return _label_in(key, translation.get_language())


@functools.cache
def _label_in(key: str, language: str | None) -> BadgeLabel:
    """A badge's label in a language never changes while the process runs (the catalogue
    is code)."""
    return BY_KEY[key].label()


_lazy_lower = lazy(lambda text: str(text).lower(), str)


# --- Segments ------------------------------------------------------------------------------


def _tier_holders(tier: str) -> Callable[[datetime], QuerySet[User]]:
    keys = [badge.key for badge in CATALOGUE if badge.tier == tier]

    def members(now: datetime) -> QuerySet[User]:
        return segments.everyone().filter(
            pk__in=MemberBadge.objects.filter(badge__in=keys).values("member_id")
        )

    return members


def _badge_holders(key: str) -> Callable[[datetime], QuerySet[User]]:
    def members(now: datetime) -> QuerySet[User]:
        return segments.everyone().filter(
            pk__in=MemberBadge.objects.filter(badge=key).values("member_id")
        )

    return members


def register_segments() -> None:
    for tier, label in TIERS:
        segments.register(
            segments.Segment(
                f"badge-tier:{tier}",
                format_lazy(gettext_lazy("{tier} badge holders"), tier=label),
                format_lazy(
                    gettext_lazy("Members who hold at least one {tier} badge."),
                    tier=_lazy_lower(label),
                ),
                _tier_holders(tier),
            )
        )
    for badge in CATALOGUE:
        segments.register(
            segments.Segment(
                f"badge:{badge.key}",
                format_lazy(gettext_lazy("Badge: {name}"), name=badge.name_text),
                format_lazy(
                    gettext_lazy("Members who hold the {tier} badge “{name}”."),
                    tier=_lazy_lower(TIER_LABEL[badge.tier]),
                    name=badge.name_text,
                ),
                _badge_holders(badge.key),
            )
        )
