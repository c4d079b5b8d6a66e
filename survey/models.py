"""The recommend survey (NPS): each answer, and the contact budget it shares.

A :class:`Prompt` is one time the site asked something of a member (the survey now;
challenges and invites later): the rules in :mod:`survey.actions` read them to
keep members from being asked too often.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from hearth.commit import after_commit

PROMOTER = "promoter"
PASSIVE = "passive"
DETRACTOR = "detractor"


def group_of(score: int) -> str:
    """Promoters answer 9–10, passives 7–8, detractors 0–6."""
    if score >= 9:
        return PROMOTER
    if score >= 7:
        return PASSIVE
    return DETRACTOR


class Prompt(models.Model):
    """One ask of a member, answered or dismissed: what the contact budget counts."""

    class Kind(models.TextChoices):
        SURVEY = "survey", gettext_lazy("Recommend survey")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", gettext_lazy("Answered")
        DISMISSED = "dismissed", gettext_lazy("Dismissed")
        # Emailed and not answered (yet): it counts for the budget like any other ask.
        SENT = "sent", gettext_lazy("Sent by email")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prompts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "-created_at"], name="prompt_member_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_outcome_display().lower()}"


class SurveyAnswerQuerySet(models.QuerySet):
    def detractors(self) -> SurveyAnswerQuerySet:
        return self.filter(score__lte=6)

    def awaiting_follow_up(self) -> SurveyAnswerQuerySet:
        """Detractors' answers no moderator has closed yet (the follow-up queue)."""
        return self.detractors().filter(closed_at__isnull=True)


class SurveyAnswer(models.Model):
    class AskedVia(models.TextChoices):
        SITE = "site", gettext_lazy("On the site")
        EMAIL = "email", gettext_lazy("By email")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_answers"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    reason = models.TextField(blank=True)
    asked_via = models.CharField(max_length=10, choices=AskedVia.choices, default=AskedVia.SITE)
    created_at = models.DateTimeField(default=timezone.now)
    # The follow-up of a detractor's answer: the team's reply (emailed, and in the bell),
    # then closing it with a note of what was done.
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    close_note = models.TextField(blank=True)

    objects = SurveyAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=10), name="survey_score_0_to_10"),
        ]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="survey_answer_member_recent"),
            models.Index(
                fields=["created_at"],
                condition=Q(score__lte=6, closed_at__isnull=True),
                name="survey_answer_follow_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/10 by member {self.member_id}"

    @property
    def group(self) -> str:
        return group_of(self.score)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SurveyEmail(models.Model):
    """One survey email to one member: the *round* its signed links name.

    Its prompt (outcome "sent", then "answered") is what the contact budget counts, so the
    card and the email never ask the same member within the interval. The answer given
    through its links is attached here; a round has at most one answer.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_emails"
    )
    prompt = models.OneToOneField(Prompt, on_delete=models.CASCADE, related_name="survey_email")
    answer = models.OneToOneField(
        SurveyAnswer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_email",
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["sent_at"], name="survey_email_sent")]

    def __str__(self) -> str:
        return f"Survey email {self.pk} to member {self.member_id}"


class SurveyPreference(models.Model):
    """A member's choice about survey emails (the card on the site is not affected)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_preference"
    )
    emails_off_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        state = "off" if self.emails_off_since else "on"
        return f"Survey emails {state} for member {self.member_id}"


SETTINGS_CACHE_KEY = "survey:settings:v1"
SETTINGS_CACHE_SECONDS = 300


@register_setting(icon="view")
class SurveySettings(BaseGenericSetting):
    """The survey's numbers as editors set them; an empty field keeps the ``SURVEY_*``
    default from site settings. Read through :meth:`values` (cached), never per request."""

    min_member_days: models.PositiveSmallIntegerField[int | None, int | None] = (
        models.PositiveSmallIntegerField(
            gettext_lazy("ask members after (days)"),
            null=True,
            blank=True,
            help_text=gettext_lazy(
                "How long someone has been a member before we ask. "
                "Leave empty to use the site's default (30 days)."
            ),
        )
    )
    every_days: models.PositiveSmallIntegerField[int | None, int | None] = (
        models.PositiveSmallIntegerField(
            gettext_lazy("ask each member at most every (days)"),
            null=True,
            blank=True,
            help_text=gettext_lazy("Leave empty to use the site's default (90 days)."),
        )
    )
    contact_gap_days: models.PositiveSmallIntegerField[int | None, int | None] = (
        models.PositiveSmallIntegerField(
            gettext_lazy("days between any two asks"),
            null=True,
            blank=True,
            help_text=gettext_lazy(
                "The contact budget shared with invites and challenges. "
                "Leave empty to use the site's default (14 days)."
            ),
        )
    )
    ask_staff: models.BooleanField[bool, bool] = models.BooleanField(
        gettext_lazy("ask moderators and editors too"),
        default=False,
        help_text=gettext_lazy("Off: staff never see the card or get the survey email."),
    )

    class Meta:
        verbose_name = gettext_lazy("recommend survey settings")

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        forget_settings()
        # A read between the delete and the commit may have cached the old row again.
        after_commit(forget_settings, what="forgetting the cached survey settings")

    @classmethod
    def values(cls) -> dict[str, Any]:
        """The saved numbers ({} before an editor saves any): one cached read."""
        found = cache.get(SETTINGS_CACHE_KEY)
        if found is None:
            row = cls.objects.values(
                "min_member_days", "every_days", "contact_gap_days", "ask_staff"
            ).first()
            found = dict(row) if row else {}
            cache.set(SETTINGS_CACHE_KEY, found, SETTINGS_CACHE_SECONDS)
        return found


def forget_settings() -> None:
    cache.delete(SETTINGS_CACHE_KEY)
