"""The bell: every moderator is told when something new waits in the inbox (but those the
announcement leaves out)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from community.actions import notify
from community.review import needs_review

from .actions import moderators


@receiver(needs_review, dispatch_uid="inbox.ring_moderators")
def ring_moderators(
    sender: Any,
    kind: str,
    key: str,
    text: str | Callable[[], str],
    skip: Collection[int] = (),
    **kwargs: Any,
) -> None:
    url = f"{reverse('inbox:index')}?kind={kind}"
    with transaction.atomic():
        for moderator in moderators():
            if moderator.pk not in skip:
                notify(recipient=moderator, kind="review_needed", text=text, url=url)
