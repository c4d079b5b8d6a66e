"""Chat rooms, their persisted messages, reactions, read state and mutes."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.models import REACTION_CHOICES, ReactionButton
from hearth.content_language import validate_code

MESSAGE_MAX_LENGTH = 2000
EDIT_WINDOW_SECONDS = 5 * 60


def room_group(room_id: int) -> str:
    """The channel-layer group every server process with a socket in the room joins."""
    return f"chat-room-{room_id}"


class RoomQuerySet(models.QuerySet):
    def visible_to(self, user) -> RoomQuerySet:
        """Public rooms for everyone; members-only rooms for signed-in members too."""
        if user is not None and user.is_authenticated and not user.is_suspended:
            return self.all()
        return self.filter(visibility=Room.Visibility.PUBLIC)

    def with_unread_for(self, user) -> RoomQuerySet:
        """Annotate ``unread``: visible messages by others after the member's last read id."""
        if user is None or not user.is_authenticated:
            return self.annotate(unread=Value(0))
        last_read = ReadState.objects.filter(room=OuterRef("pk"), member=user).values(
            "last_read_id"
        )[:1]
        return self.annotate(last_read=Coalesce(Subquery(last_read), Value(0))).annotate(
            unread=Count(
                "messages",
                # Without a read marker, what was said before the member joined is not news.
                filter=Q(
                    messages__deleted_at__isnull=True,
                    messages__id__gt=F("last_read"),
                    messages__created_at__gt=user.date_joined,
                )
                & ~Q(messages__author=user),
            )
        )


class Room(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", gettext_lazy("Public: visitors read, members write")
        MEMBERS = "members", gettext_lazy("Members only")

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    archived = models.BooleanField(
        default=False,
        help_text=gettext_lazy("An archived room stays readable but nobody can post in it."),
    )
    category = models.OneToOneField(
        "forum.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_room",
        help_text=gettext_lazy(
            "Optional: the forum category this room belongs to (one room per category)."
        ),
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text=gettext_lazy("Rooms are listed by this number, then by name.")
    )
    # The language the room talks in ("et"), shown in the room list; blank: any language.
    # The offered languages change with the catalogs, so the choices are the admin form's.
    language = models.CharField(
        max_length=10,
        blank=True,
        default="",
        validators=[validate_code],
        help_text=gettext_lazy("Optional: the language people write in here, e.g. et."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "chat room"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("chat:room", kwargs={"slug": self.slug})

    @property
    def group(self) -> str:
        return room_group(self.pk)

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    def can_read(self, user) -> bool:
        if self.is_public:
            return True
        return user is not None and user.is_authenticated and not user.is_suspended

    def send_refusal(self, user, *, muted: bool | None = None) -> str:
        """Why ``user`` may not post here now, or "" when they may. ``muted``: whether
        they are muted here, when the caller read it already (False asks nothing)."""
        if user is None or not user.is_authenticated:
            return _("Sign in to chat.")
        if user.is_suspended:
            return _("Your account is suspended.")
        if self.archived:
            return _("This room is archived: it is read-only.")
        if user.is_silenced:
            until = timezone.localtime(user.silenced_until)
            return _("You are silenced until %(until)s.") % {
                "until": date_format(until, "H:i, d M")
            }
        mute = self.mutes.active().filter(member=user).first() if muted is not False else None
        if mute is not None:
            until = timezone.localtime(mute.until)
            return _("A moderator muted you in this room until %(until)s.") % {
                "until": date_format(until, "H:i, d M")
            }
        return ""


class ChatMessageQuerySet(models.QuerySet):
    def visible(self) -> ChatMessageQuerySet:
        return self.filter(deleted_at__isnull=True)

    def newest(
        self,
        *,
        room_id: int,
        limit: int,
        after: int | None = None,
        before: int | None = None,
        through: int | None = None,
    ) -> tuple[list[ChatMessage], bool]:
        """The newest ``limit`` visible messages of a room with ids in the given range
        (after < id < before, id <= through), oldest first, and whether older ones in the
        range were left out. The one read path of the room page, ``history`` and ``since``.
        """
        queryset = self.visible().filter(room_id=room_id).select_related("author")
        if after is not None:
            queryset = queryset.filter(id__gt=after)
        if before is not None:
            queryset = queryset.filter(id__lt=before)
        if through is not None:
            queryset = queryset.filter(id__lte=through)
        page = list(queryset.order_by("-id")[: limit + 1])
        return list(reversed(page[:limit])), len(page) > limit


class ChatMessage(models.Model):
    """One message. Ids only grow, so "everything after id N" is a complete catch-up."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    body = models.TextField(
        validators=[MinLengthValidator(1), MaxLengthValidator(MESSAGE_MAX_LENGTH)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Set by the plain form (one random value per rendered form): a resubmission of the
    # same form (a retry after an error page, a double click) saves nothing twice.
    client_ref = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = ChatMessageQuerySet.as_manager()

    # Not stored: set by the room page for its template (chat/_message.html).
    editable: bool
    deletable: bool
    html: str
    reaction_list: list[ReactionButton]
    reactions_unused: bool

    class Meta:
        ordering = ["id"]
        verbose_name = "chat message"
        indexes = [models.Index(fields=["room", "id"], name="chat_message_room_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_ref"],
                condition=~models.Q(client_ref=""),
                name="chat_message_once_per_form",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.room.get_absolute_url()}#message-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def can_edit(self, user, *, now=None) -> bool:
        now = now or timezone.now()
        return (
            user is not None
            and user.is_authenticated
            and user.pk == self.author_id
            and not self.is_deleted
            and (now - self.created_at).total_seconds() <= EDIT_WINDOW_SECONDS
        )

    def can_delete(self, user) -> bool:
        if user is None or not user.is_authenticated or self.is_deleted:
            return False
        return user.pk == self.author_id or user.is_moderator


class ChatReaction(models.Model):
    message = models.ForeignKey(ChatMessage, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_reactions"
    )
    kind = models.CharField(max_length=20, choices=REACTION_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "member", "kind"], name="chat_reaction_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.message_id}"


class ReadState(models.Model):
    """How far a member has read in a room: the last message id they have seen."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="read_states")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_read_states"
    )
    last_read_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "member"], name="chat_read_state_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} read {self.room_id} up to {self.last_read_id}"


class RoomMuteQuerySet(models.QuerySet):
    def active(self) -> RoomMuteQuerySet:
        return self.filter(until__gt=timezone.now())


class RoomMute(models.Model):
    """A moderator stopped a member from posting in one room until ``until``."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="mutes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_mutes"
    )
    until = models.DateTimeField()
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RoomMuteQuerySet.as_manager()

    class Meta:
        verbose_name = "chat mute"
        constraints = [models.UniqueConstraint(fields=["room", "member"], name="chat_mute_once")]

    def __str__(self) -> str:
        return f"{self.member} muted in {self.room} until {self.until:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.until > timezone.now()
