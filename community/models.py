from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import PurePosixPath
from typing import ClassVar, TypeAlias

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from community.validators import username_validators
from hearth.i18n import validate_time_zone

MEMBERS_GROUP = "Members"
MODERATORS_GROUP = "Moderators"
EDITORS_GROUP = "Editors"


def avatar_upload_to(instance: User, filename: str) -> str:
    # Never trust the uploaded name: a generated one, with the extension we re-encoded to.
    suffix = PurePosixPath(filename).suffix.lower() or ".jpg"
    return f"avatars/{uuid.uuid4().hex}{suffix}"


class MemberQuerySet(models.QuerySet):
    def in_good_standing(self) -> MemberQuerySet:
        """Active, not suspended: the members who count for leaderboards and awards."""
        now = timezone.now()
        return self.filter(is_active=True).filter(
            Q(suspended_until__isnull=True) | Q(suspended_until__lte=now)
        )

    def in_group(self, name: str) -> MemberQuerySet:
        return self.filter(groups__name=name)


# mypy flags any call used as a base class, django-stubs' from_queryset() included.
class MemberManager(UserManager.from_queryset(MemberQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person with an account: member, moderator or editor (by group)."""

    username = models.CharField(
        "username",
        max_length=30,
        unique=True,
        validators=username_validators,
        help_text=gettext_lazy(
            "3 to 30 letters, digits or underscores. Shown in your profile address."
        ),
        error_messages={"unique": gettext_lazy("That username is taken.")},
    )
    display_name = models.CharField(max_length=60, blank=True)
    bio = models.TextField(blank=True, validators=[MaxLengthValidator(500)])
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    email_on_mention = models.BooleanField("email me when someone mentions me", default=True)
    greetings_by_email = models.BooleanField(
        "email me on my birthday and join anniversary", default=True
    )
    # Off: visitors (not signed in) see the profile without the member's activity.
    activity_public = models.BooleanField("show my activity to visitors", default=True)
    # The weekly digest by email when the member has been away (community.digest).
    digest_emails = models.BooleanField("email me a digest when I have been away", default=True)
    # One email per conversation with a message unread for a while (community.conversations).
    message_emails = models.BooleanField(
        "email me about private messages I have not read", default=True
    )
    # Blank: the language of the browser (or the picker's cookie), and the site's time zone.
    # The offered languages change with the catalogs, so the choices are the form's.
    language = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    # Moderation: a silenced member can read but not post or chat; a suspended member
    # cannot sign in and their open sockets are closed.
    silenced_until = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)
    # Trust levels (community.trust) are earned by activity; a level set here is a floor
    # the member never falls below (a known person vouched for by staff).
    trust_level_granted = models.PositiveSmallIntegerField(
        "trust level granted",
        null=True,
        blank=True,
        choices=[
            (0, gettext_lazy("new")),
            (1, gettext_lazy("member")),
            (2, gettext_lazy("regular")),
        ],
        help_text=gettext_lazy("Leave empty to let the member's activity decide."),
    )

    objects: ClassVar[MemberManager] = MemberManager()

    class Meta:
        verbose_name = "member"
        verbose_name_plural = "members"
        constraints = [
            models.CheckConstraint(
                name="birthday_month_range",
                condition=Q(birthday_month__isnull=True)
                | Q(birthday_month__gte=1, birthday_month__lte=12),
            ),
            models.CheckConstraint(
                name="birthday_day_range",
                condition=Q(birthday_day__isnull=True)
                | Q(birthday_day__gte=1, birthday_day__lte=31),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("community:profile", kwargs={"username": self.username})

    def clean(self) -> None:
        super().clean()
        validate_birthday(self.birthday_month, self.birthday_day)

    # --- roles -------------------------------------------------------------------

    def _group_names(self) -> frozenset[str]:
        cached = getattr(self, "_group_names_cache", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._group_names_cache = cached
        return cached

    @property
    def is_moderator(self) -> bool:
        return self.is_superuser or MODERATORS_GROUP in self._group_names()

    @property
    def is_editor(self) -> bool:
        return self.is_superuser or EDITORS_GROUP in self._group_names()

    @property
    def is_staff_member(self) -> bool:
        return self.is_moderator or self.is_editor

    # --- standing ----------------------------------------------------------------

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    @property
    def is_silenced(self) -> bool:
        return self.silenced_until is not None and self.silenced_until > timezone.now()

    @property
    def is_new_account(self) -> bool:
        """Joined less than a day ago (stricter posting limits apply)."""
        return timezone.now() - self.date_joined < timedelta(days=1)

    @property
    def trust_level(self) -> int:
        """0 new, 1 member, 2 regular (community.trust; cached)."""
        from community.trust import trust_level  # cycle: community.trust imports User

        return trust_level(self)

    @property
    def birthday_display(self) -> str:
        if self.birthday_month and self.birthday_day:
            return date_format(date(2000, self.birthday_month, self.birthday_day), "j F")
        return ""


def with_group_names(members: Iterable[User]) -> dict[int, User]:
    """The members by id, each knowing its groups (``is_moderator`` and the other role
    checks then ask nothing more): one query for all of them."""
    found = {member.pk: member for member in members}
    names: dict[int, set[str]] = {pk: set() for pk in found}
    memberships = User.groups.through.objects.filter(user_id__in=list(found)).values_list(
        "user_id", "group__name"
    )
    for user_id, name in memberships:
        names[user_id].add(name)
    for pk, member in found.items():
        member._group_names_cache = frozenset(names[pk])
    return found


def validate_birthday(month: int | None, day: int | None) -> None:
    """Month and day only; 29 February is allowed (it exists in leap years)."""
    if month is None and day is None:
        return
    if month is None or day is None:
        raise ValidationError(_("Give both the month and the day of your birthday, or neither."))
    if not 1 <= month <= 12:
        raise ValidationError(_("Choose a month between 1 and 12."))
    last_day = calendar.monthrange(2000, month)[1]  # 2000 is a leap year
    if not 1 <= day <= last_day:
        raise ValidationError(
            _("%(month)s has %(days)d days; %(day)d is not a valid day.")
            % {"month": date_format(date(2000, month, 1), "F"), "days": last_day, "day": day}
        )


class MemberDay(models.Model):
    """A day a member visited the site (trust levels count them); one row per day."""

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="member_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.day}"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def unread_count(self, member_id: int) -> int:
        """The number on the member's bell: one way for the page, the socket and events."""
        return self.unread().filter(recipient_id=member_id).count()


class Notification(models.Model):
    """Something that happened that a member should know about (the bell)."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    # The words as written when it happened; the page reads them again through
    # community.notifications.with_current_text (names as they are now, edited messages).
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    # The actor's name as it appears in ``text`` (blank: it does not appear), so a
    # member who changes their name shows the new one in old notifications.
    actor_name = models.CharField(max_length=60, blank=True, default="")
    # What it is about ("chat.chatmessage" and its id), when its words can change.
    target_type = models.CharField(max_length=60, blank=True, default="")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def shown_text(self) -> str:
        """What the page says: community.notifications.with_current_text sets it (names as
        they are now, a chat message as edited); the stored words until then."""
        return self.__dict__.get("_shown_text", self.text)

    @shown_text.setter
    def shown_text(self, value: str) -> None:
        self.__dict__["_shown_text"] = value

    def as_event(self) -> dict:
        return {
            "id": self.pk,
            "kind": self.kind,
            "text": self.text,
            "url": self.url,
            "created_at": self.created_at.isoformat(),
        }


class Greeting(models.Model):
    """A member's day that was greeted: one row per member, kind and (local) date.

    The unique row is what makes the daily command idempotent, also when two runs race:
    the greeting, its email and the birthday bonus happen in the transaction that
    inserts it (referrals.greetings).
    """

    class Kind(models.TextChoices):
        BIRTHDAY = "birthday", gettext_lazy("birthday")
        ANNIVERSARY = "anniversary", gettext_lazy("join anniversary")

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="greetings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    on_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "on_date"], name="one_greeting_per_member_kind_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.member_id} on {self.on_date:%Y-%m-%d}"


# The reaction set shared by forum posts and chat messages: (key, emoji, label). The labels
# stay English here (keys of caches and frames); pages translate them as they draw them.
REACTIONS = [
    ("like", "👍", gettext_noop("Like")),
    ("heart", "❤️", gettext_noop("Heart")),
    ("laugh", "😄", gettext_noop("Laugh")),
    ("celebrate", "🎉", gettext_noop("Celebrate")),
    ("insightful", "💡", gettext_noop("Insightful")),
]
REACTION_KEYS = [key for key, _, _ in REACTIONS]
# One reaction button as a page draws it: (key, emoji, label, count, given by the reader).
ReactionButton: TypeAlias = tuple[str, str, str, int, bool]
REACTION_CHOICES = [(key, label) for key, _, label in REACTIONS]


class DigestSent(models.Model):
    """A digest emailed to a member for one ISO week ("2026-W49"): at most one a week,
    however often the command runs."""

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "week"], name="digest_once_a_week"),
        ]

    def __str__(self) -> str:
        return f"digest for {self.member_id} in {self.week}"


class Block(models.Model):
    """A member who blocked another: no private messages, mentions or notifications from
    them (community.conversations, community.notifications). The blocked member is not
    told; they only find they cannot message the blocker."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Also the index every "did they block them?" question uses.
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                name="block_not_self", condition=~Q(blocker=models.F("blocked"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"

    @staticmethod
    def exists_between(*, blocker_id: int, blocked_id: int) -> bool:
        return Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).exists()
