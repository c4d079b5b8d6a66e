"""Private conversations: one-to-one or a small group, their members and messages.

A conversation's members are fixed when it starts (at most ``MAX_MEMBERS``, the starter
included); a member may leave, and then it is gone from their list and they send no
more. What a member has read is the id of the last message they saw
(``Membership.last_read_id``): unread is every message by someone else after it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

MESSAGE_MAX_LENGTH = 2000
MAX_MEMBERS = 10


class ConversationQuerySet(models.QuerySet):
    def for_member(self, member) -> ConversationQuerySet:
        """The conversations ``member`` is in and has not left."""
        return self.filter(memberships__member=member, memberships__left_at__isnull=True)


class Conversation(models.Model):
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Kept with each message, so the list sorts without looking at messages.
    last_message_at = models.DateTimeField(default=timezone.now)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        indexes = [
            # The rate limit counts the conversations a member started lately.
            models.Index(fields=["started_by", "created_at"], name="conversation_started"),
        ]

    def __str__(self) -> str:
        return f"conversation {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("conversations:conversation", args=[self.pk])


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(left_at__isnull=True)

    def with_unread(self) -> MembershipQuerySet:
        """Annotate ``unread``: others' messages after the member's last read one."""
        return self.annotate(
            unread=Count(
                "conversation__messages",
                filter=Q(
                    conversation__messages__id__gt=F("last_read_id"),
                    conversation__messages__removed_at__isnull=True,
                )
                & ~Q(conversation__messages__author_id=F("member_id")),
            )
        )


class Membership(models.Model):
    """A member of a conversation: what they read, whether they left, whether they were
    emailed about what they have not read yet (once per unread stretch)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_id = models.PositiveBigIntegerField(default=0)
    left_at = models.DateTimeField(null=True, blank=True)
    # True from the email about unread messages until the member reads them: the job
    # never emails twice for the same unread stretch.
    unread_emailed = models.BooleanField(default=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "member"], name="membership_once"),
        ]
        indexes = [
            # The member's list and their unread count: their conversations not left.
            models.Index(
                fields=["member", "conversation"],
                condition=Q(left_at__isnull=True),
                name="membership_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # A moderator removed it after a flag: the words are kept for the record, not shown.
    removed_at = models.DateTimeField(null=True, blank=True)

    # Set for display by actions.body_html (not stored).
    html: str

    class Meta:
        ordering = ["id"]
        indexes = [
            # A conversation's page and its unread count read messages by id.
            models.Index(fields=["conversation", "id"], name="message_by_conversation"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.conversation_id}"

    def get_absolute_url(self) -> str:
        return f"{self.conversation.get_absolute_url()}#message-{self.pk}"


class MessageFlag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", gettext_lazy("Spam or advertising")
        HARASSMENT = "harassment", gettext_lazy("Harassment or threats")
        INAPPROPRIATE = "inappropriate", gettext_lazy("Inappropriate content")
        OTHER = "other", gettext_lazy("Something else")

    class Outcome(models.TextChoices):
        REMOVED = "removed", gettext_lazy("Message removed")
        DISMISSED = "dismissed", gettext_lazy("Flag dismissed")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    text = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "flagger"], name="message_flag_once"),
        ]
        indexes = [
            models.Index(
                fields=["message"], condition=Q(resolved_at__isnull=True), name="message_flag_open"
            ),
        ]

    def __str__(self) -> str:
        return f"flag on message {self.message_id}"
