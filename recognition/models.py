"""Challenges (dated goals editors set) and the surprise (a small random bonus).

Both sit on the warm actions of ``referrals.engagement``: a challenge counts a member's
``MemberAction`` rows of one kind within its dates; the surprise draws once per warm
action. Every "only once" is a unique row: one completion per member and challenge, one
draw per warm action, one budget row per month (locked while a win is paid).
"""

from __future__ import annotations

import functools
import operator
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from community import segments
from community.models import User
from referrals import badges
from referrals.models import MemberAction, PointsRule, Referral, Stage, Status

REFERRAL_CONVERTED = PointsRule.Action.REFERRAL_CONVERTED.value
MAX_GOAL = 10_000
MAX_REWARD = 10_000


def badge_name(key: str) -> str:
    """The name a member reads for a badge key of the catalogue (the key when unknown)."""
    badge = badges.get(key)
    return badge.name if badge is not None else key


def badge_choices() -> list[tuple[str, str]]:
    """Badges a challenge may give: the catalogue's, except the referral ones (those
    follow a member's counted referrals and are taken back with them)."""
    return [
        (badge.key, f"{badge.name} ({badge.tier_label})")
        for badge in badges.CATALOGUE
        if badge.key not in badges.REFERRAL_BADGES
    ]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Challenges ---------------------------------------------------------------------------


def _progress(member: User) -> Coalesce:
    """How many of ``member``'s counting actions fall in each challenge's window.

    Warm actions come from ``MemberAction`` (revoked ones no longer count); referral
    conversions are not warm actions, so "Bring 3 friends" counts the member's
    referrals that converted and count (``Referral``), by their conversion time.
    """
    warm = (
        MemberAction.objects.filter(
            member=member,
            action=OuterRef("action"),
            revoked_at__isnull=True,
            created_at__gte=OuterRef("window_starts_at"),
            created_at__lt=OuterRef("window_ends_at"),
        )
        .filter(
            Q(key__icontains=OuterRef("key_contains"))
            | Q(place__icontains=OuterRef("key_contains"))
        )
        .order_by()
        .values("member")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    friends = (
        Referral.objects.filter(
            referrer=member,
            stage=Stage.CONVERTED,
            status=Status.COUNTING,
            converted_at__gte=OuterRef("window_starts_at"),
            converted_at__lt=OuterRef("window_ends_at"),
        )
        .filter(
            Q(converting_object__icontains=OuterRef("key_contains"))
            | Q(converting_container__icontains=OuterRef("key_contains"))
        )
        .order_by()
        .values("referrer")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return Coalesce(
        Case(
            When(action=REFERRAL_CONVERTED, then=Subquery(friends)),
            default=Subquery(warm),
            output_field=models.IntegerField(),
        ),
        0,
    )


AUDIENCES_CACHE_SECONDS = 300


def _audiences_key(today: date) -> str:
    return f"recognition:active-audiences:{today.isoformat()}"


def active_audiences(now: datetime | None = None) -> frozenset[str]:
    """The segments today's active challenges are put to (cached per day; a change to a
    challenge forgets it). Empty on most days, so pages and warm actions then cost no
    challenge query at all."""
    today = timezone.localdate(now or timezone.now())
    found = cache.get(_audiences_key(today))
    if found is None:
        found = frozenset(
            Challenge.objects.active(now).order_by().values_list("audience", flat=True).distinct()
        )
        cache.set(_audiences_key(today), found, AUDIENCES_CACHE_SECONDS)
    return found


def forget_active_audiences() -> None:
    cache.delete(_audiences_key(timezone.localdate()))


def _in_audience(member: User, now: datetime, audiences: frozenset[str]) -> Q:
    """The challenge's segment holds ``member``: one EXISTS per segment in use (building
    one for every registered segment cost more than the rest of the home page)."""
    clauses = [
        Q(audience=segment.key) & Q(Exists(segment.members(now).filter(pk=member.pk)))
        for segment in segments.all_segments()
        if segment.key in audiences
    ]
    return functools.reduce(operator.or_, clauses, Q(pk__in=[]))


class ChallengeQuerySet(models.QuerySet):
    def active(self, now: datetime | None = None) -> ChallengeQuerySet:
        today = timezone.localdate(now or timezone.now())
        return self.filter(starts_on__lte=today, ends_on__gte=today)

    def for_member(self, member: User, now: datetime | None = None) -> ChallengeQuerySet:
        """The active challenges put to ``member`` (their segment, or one they completed),
        each with ``progress``, ``completed_at`` and ``rewarded_points``: one query."""
        now = now or timezone.now()
        audiences = active_audiences(now)
        if not audiences:
            return self.none()
        completion = ChallengeCompletion.objects.filter(challenge=OuterRef("pk"), member=member)
        return (
            self.active(now)
            .annotate(
                progress=_progress(member),
                completed_at=Subquery(completion.values("completed_at")[:1]),
                rewarded_points=Subquery(completion.values("points")[:1]),
            )
            .filter(_in_audience(member, now, audiences) | Q(completed_at__isnull=False))
            .order_by("ends_on", "pk")
        )


class Challenge(models.Model):
    """A dated goal: do ``goal`` times ``action`` between two dates, earn a reward."""

    title = models.CharField(
        max_length=120, help_text=gettext_lazy("What members read: “Answer 5 questions”.")
    )
    description = models.TextField(
        max_length=1000,
        blank=True,
        help_text=gettext_lazy("A sentence or two on why and how (plain text)."),
    )
    starts_on = models.DateField(help_text=gettext_lazy("The first day that counts."))
    ends_on = models.DateField(help_text=gettext_lazy("The last day that counts (included)."))
    action = models.CharField(
        max_length=30,
        choices=PointsRule.Action.choices,
        help_text=gettext_lazy(
            "What counts. “A referred friend taking part for real” counts the member's "
            "referrals that converted within the dates."
        ),
    )
    key_contains = models.CharField(
        "only when the key contains",
        max_length=100,
        blank=True,
        help_text=gettext_lazy(
            "Optional filter: count only actions whose key or place contains this text (not "
            "case sensitive). Keys name the content (“forum.post:”, “blog.guidepage:”); "
            "places say where it happened: “forum.category:getting-started” for a forum "
            "category, “chat.room:lobby” for a chat room. So “Answer 5 questions in Getting "
            "started” is a reply (“replying in the forum”) with “getting-started”. Empty "
            "counts all."
        ),
    )
    goal = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_GOAL)],
        help_text=gettext_lazy("How many times (at least 1)."),
    )
    reward_points = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(MAX_REWARD)],
        help_text=gettext_lazy(
            "Points paid once on completion (the “completing a challenge” points rule "
            "must be on). A reward stays paid even if an action is later removed."
        ),
    )
    reward_badge = models.CharField(
        max_length=40, blank=True, help_text=gettext_lazy("Optional badge given on completion.")
    )
    audience = models.CharField(
        max_length=40,
        default="all",
        help_text=gettext_lazy("Who sees the challenge and can complete it."),
    )
    # The dates as instants in the site's time zone, kept by save() for the progress query.
    window_starts_at = models.DateTimeField(editable=False)
    window_ends_at = models.DateTimeField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="challenge_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(goal__gte=1), name="challenge_goal_positive"),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="challenge_by_dates")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.window_starts_at = _day_start(self.starts_on)
        self.window_ends_at = _day_start(self.ends_on + timedelta(days=1))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "window_starts_at",
                "window_ends_at",
            }
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = gettext("The end date must be on or after the start date.")
        if self.audience and segments.get(self.audience) is None:
            errors["audience"] = gettext("Choose one of the listed audiences.")
        if self.reward_badge and self.reward_badge not in dict(badge_choices()):
            errors["reward_badge"] = gettext("Choose one of the listed badges.")
        if errors:
            raise ValidationError(errors)

    @property
    def audience_label(self) -> str:
        segment = segments.get(self.audience)
        return str(segment.label) if segment else self.audience

    @property
    def progress_shown(self) -> int:
        """The progress for the bar (``for_member`` annotates it), never past the goal."""
        return min(getattr(self, "progress", 0) or 0, self.goal)

    @property
    def reward_badge_name(self) -> str:
        return badge_name(self.reward_badge) if self.reward_badge else ""

    @property
    def reward_text(self) -> str:
        """“20 points and the “First friend” badge”, or "" without a reward."""
        parts = []
        if self.reward_points:
            parts.append(
                ngettext("%(n)d point", "%(n)d points", self.reward_points)
                % {"n": self.reward_points}
            )
        if self.reward_badge:
            parts.append(f"the “{self.reward_badge_name}” badge")
        return " and ".join(parts)


class ChallengeCompletion(models.Model):
    """``member`` reached the goal of ``challenge``: once (the unique rule), paid once."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="completions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_completions"
    )
    completed_at = models.DateTimeField(default=timezone.now)
    points = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Points actually paid."))
    badge = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-completed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "challenge"], name="challenge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} completed {self.challenge_id}"


# --- The surprise ---------------------------------------------------------------------------


@register_setting(icon="pick")
class SurpriseSettings(BaseGenericSetting):
    """How often a warm action draws a little surprise bonus, and how much a month."""

    odds: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        "one in",
        default=0,
        validators=[MaxValueValidator(1_000_000)],
        help_text=gettext_lazy(
            "A warm action wins once in this many draws (20 = 1 in 20). 0 switches surprises off."
        ),
    )
    monthly_budget: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(1_000_000)],
        help_text=gettext_lazy(
            "At most this many surprise points in a calendar month, for everyone "
            "together. It is never exceeded; 0 switches surprises off."
        ),
    )
    min_points: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REWARD)],
        help_text=gettext_lazy("The smallest surprise (at least 1 point)."),
    )
    max_points: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REWARD)],
        help_text=gettext_lazy(
            "The largest surprise; the last one of a month may be smaller, to stay "
            "within the budget."
        ),
    )

    class Meta:
        verbose_name = gettext_lazy("surprise bonus")

    def __str__(self) -> str:
        return gettext("Surprise bonus")

    def clean(self) -> None:
        if self.min_points and self.max_points and self.max_points < self.min_points:
            raise ValidationError(
                {"max_points": gettext("The largest surprise must be at least the smallest one.")}
            )

    @property
    def is_on(self) -> bool:
        return self.odds > 0 and self.monthly_budget > 0


class SurpriseBudget(models.Model):
    """Surprise points paid in one month ("YYYY-MM"); its row is the lock of a win."""

    month = models.CharField(max_length=7, unique=True)
    spent = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.month}: {self.spent}"


class SurpriseDraw(models.Model):
    """One draw for one warm action, with everything that decided it (for the audit)."""

    class Outcome(models.TextChoices):
        WON = "won", gettext_lazy("won")
        LOST = "lost", gettext_lazy("not this time")
        BUDGET_SPENT = "budget_spent", gettext_lazy("won, but the month's budget was spent")
        NOT_PAID = "not_paid", gettext_lazy("won, but not paid (rule off or capped)")

    action = models.OneToOneField(
        MemberAction, on_delete=models.CASCADE, related_name="surprise_draw"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="surprise_draws"
    )
    action_key = models.CharField(max_length=200)
    value = models.FloatField(help_text=gettext_lazy("The random number drawn, from 0 to 1."))
    odds = models.PositiveIntegerField(help_text=gettext_lazy("1 in this many won."))
    budget = models.PositiveIntegerField(help_text=gettext_lazy("The month's budget at the draw."))
    budget_left = models.PositiveIntegerField(
        help_text=gettext_lazy("Points left before this draw.")
    )
    amount = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Points paid."))
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    month = models.CharField(max_length=7)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="draw_by_time"),
            models.Index(fields=["month", "outcome"], name="draw_by_month"),
        ]

    def __str__(self) -> str:
        return f"draw for {self.action_key}: {self.get_outcome_display()}"

    @property
    def won(self) -> bool:
        return self.outcome == self.Outcome.WON
