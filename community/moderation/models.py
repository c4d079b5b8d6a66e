"""Penalties a member can understand and appeal, the rules they cite, and staff notes.

A :class:`Penalty` is the record of a silence, a suspension or a chat mute: who gave it,
why (a canned rule plus free text), from when to when, and whether it was lifted early.
The fast checks stay where they were (``User.silenced_until``/``suspended_until``,
``chat.RoomMute``); the penalty is what the member is told, what they appeal and what
moderators read back on the member page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

# How long after a penalty ends its member may still appeal it.
APPEAL_GRACE = timedelta(days=3)
TEXT_MAX_LENGTH = 2000
# The end of a penalty that lasts until a moderator lifts it (a hidden post): the column
# stays required, so every "running" check keeps working unchanged.
NO_END = datetime(3000, 1, 1, tzinfo=UTC)


class CannedReason(models.Model):
    """A rule moderators cite ("Personal attacks"), with the text the member reads."""

    title = models.CharField(max_length=80, unique=True)
    text = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        help_text=gettext_lazy(
            "The rule in plain words, as the member will read it in the notice."
        ),
    )
    active = models.BooleanField(
        default=True, help_text=gettext_lazy("Only active reasons are offered when penalising.")
    )

    class Meta:
        ordering = ["title"]
        verbose_name = "canned reason"

    def __str__(self) -> str:
        return self.title


class PenaltyQuerySet(models.QuerySet):
    def active(self) -> PenaltyQuerySet:
        now = timezone.now()
        return self.filter(lifted_at__isnull=True, starts_at__lte=now, ends_at__gt=now)

    def appealable(self) -> PenaltyQuerySet:
        """Running, or ended (not lifted) less than APPEAL_GRACE ago."""
        return self.filter(lifted_at__isnull=True, ends_at__gt=timezone.now() - APPEAL_GRACE)

    def applying_to(self, scope: str) -> PenaltyQuerySet:
        """Site-wide penalties and the ones for ``scope`` (e.g. "chat.room:3")."""
        return self.filter(Q(scope="") | Q(scope=scope)) if scope else self.filter(scope="")


class Penalty(models.Model):
    class Kind(models.TextChoices):
        SILENCE = "silence", gettext_lazy("Silence")
        SUSPEND = "suspend", gettext_lazy("Suspension")
        CHAT_MUTE = "chat_mute", gettext_lazy("Chat mute")
        # One post a moderator hid ("forum.post:<id>"): no end, no banner; lifting it (an
        # appeal) restores the post through the forum's enforcer.
        HIDDEN_POST = "hidden_post", gettext_lazy("Hidden post")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="penalties"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # None for automatic penalties (flooding the chat).
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    canned_reason = models.ForeignKey(
        CannedReason, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField("note to the member", max_length=300, blank=True)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    # "" for the whole site; "chat.room:<id>" for a mute in one room; "forum.post:<id>".
    scope = models.CharField(max_length=80, blank=True)
    scope_label = models.CharField(max_length=120, blank=True)  # "in the room General"
    scope_url = models.CharField(max_length=300, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = models.CharField(max_length=300, blank=True)

    objects = PenaltyQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name_plural = "penalties"
        indexes = [models.Index(fields=["member", "-starts_at"], name="penalty_member_recent")]

    def __str__(self) -> str:
        if self.open_ended:
            return f"{self.get_kind_display()} of {self.member}"
        return f"{self.get_kind_display()} of {self.member} until {self.ends_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("moderation:penalty", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.lifted_at is None and self.starts_at <= now < self.ends_at

    @property
    def open_ended(self) -> bool:
        """Lasts until a moderator lifts it (a hidden post): no "until", no shortening."""
        return self.kind == self.Kind.HIDDEN_POST

    @property
    def can_be_appealed(self) -> bool:
        return self.lifted_at is None and self.ends_at > timezone.now() - APPEAL_GRACE

    @property
    def reason_title(self) -> str:
        """The one-line why: the rule's title, else the moderator's note."""
        if self.canned_reason is not None:
            return self.canned_reason.title
        return self.reason

    @property
    def verb(self) -> str:
        """Whole words ("silenced", "suspended", "muted"), never "{kind}ed"."""
        return {
            self.Kind.SILENCE: pgettext("penalty", "silenced"),
            self.Kind.SUSPEND: pgettext("penalty", "suspended"),
            self.Kind.CHAT_MUTE: pgettext("penalty", "muted"),
            self.Kind.HIDDEN_POST: pgettext("penalty", "hidden"),
        }[self.Kind(self.kind)]

    @property
    def what(self) -> str:
        """For "You are {what} until…": "silenced", "muted in the room General"."""
        if self.kind == self.Kind.HIDDEN_POST:
            return (_("hidden: a post %(scope)s") % {"scope": self.scope_label}).strip()
        if not self.scope_label:
            return self.verb
        # Translators: "silenced in the room General": a penalty and where it applies.
        return _("%(verb)s %(scope)s") % {"verb": self.verb, "scope": self.scope_label}

    @property
    def against(self) -> str:
        """For "Appeal by Ana against…": "being silenced", "the hiding of their post in
        “Rye”"."""
        if self.kind == self.Kind.HIDDEN_POST:
            return (_("the hiding of their post %(scope)s") % {"scope": self.scope_label}).strip()
        return _("being %(what)s") % {"what": self.what}


class Appeal(models.Model):
    class Decision(models.TextChoices):
        UPHOLD = "uphold", gettext_lazy("Upheld")
        SHORTEN = "shorten", gettext_lazy("Shortened")
        LIFT = "lift", gettext_lazy("Lifted")

    penalty = models.OneToOneField(Penalty, on_delete=models.CASCADE, related_name="appeal")
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    new_ends_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Appeal by {self.penalty.member} against their {self.penalty.get_kind_display()}"

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


class StaffNote(models.Model):
    """A private note about a member, for moderators only (never shown to the member)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]
