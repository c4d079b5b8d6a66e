"""The recommend survey (NPS): each answer, and the contact budget it shares.

A :class:`Prompt` is one time the site asked something of a member (the survey now;
challenges and invites later): the rules in :mod:`survey.actions` read them to
keep members from being asked too often.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

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
        SURVEY = "survey", "Recommend survey"

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "Answered"
        DISMISSED = "dismissed", "Dismissed"

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
        SITE = "site", "On the site"
        EMAIL = "email", "By email"

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
