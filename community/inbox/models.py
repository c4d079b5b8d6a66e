"""A moderator's claim on an inbox item, so two moderators do not work on the same one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReviewClaim(models.Model):
    """``kind:key`` names the item in its source (community.review). A claim older than
    the moment the item started waiting belongs to an earlier round (the item was
    decided and came back) and no longer counts."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_claims"
    )
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="review_claim_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} claimed by {self.moderator}"

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.key}"
