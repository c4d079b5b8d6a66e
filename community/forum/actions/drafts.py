"""Drafts: what a member is writing, saved as they type and restored when they return."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from community.models import User

from ..models import Draft, Topic
from .rules import MAX_POST_CHARS, TITLE_MAX, PostingError

NEW_TOPIC = "topic"


def reply_key(topic: Topic) -> str:
    return f"reply:{topic.pk}"


def draft_topic(member: User, key: str) -> Topic | None:
    """The topic a draft key names, if ``member`` may open it; None for a new topic.
    Raises PostingError for a key that names nothing they may write."""
    if key == NEW_TOPIC:
        return None
    prefix, _unused, raw = key.partition(":")
    if prefix == "reply" and raw.isascii() and raw.isdigit() and len(raw) < 12:
        topic = Topic.objects.visible_to(member).filter(pk=int(raw)).first()
        if topic is not None:
            return topic
    raise PostingError(_("That draft belongs to nothing you can write in."), code="draft")


@transaction.atomic
def save_draft(*, member: User, key: str, title: str = "", body: str = "") -> Draft | None:
    """Keep what ``member`` is writing under ``key`` ("topic", or "reply:<topic id>" of a
    topic they may open); an empty draft is forgotten. Longer than a post may be is
    refused (nothing is cut: the words stay in their box)."""
    if len(body) > MAX_POST_CHARS * 2 or len(title) > TITLE_MAX * 2:
        raise PostingError(
            _("A draft can be at most %(count)s characters.")
            % {"count": number_format(MAX_POST_CHARS * 2, force_grouping=True)},
            code="too_long",
        )
    if not title.strip() and not body.strip():
        discard_draft(member=member, key=key)
        return None
    draft, _created = Draft.objects.update_or_create(
        member=member,
        topic=draft_topic(member, key),
        defaults={"title": title, "body": body, "updated_at": timezone.now()},
    )
    return draft


def discard_draft(*, member: User, key: str) -> None:
    topic = draft_topic(member, key) if key != NEW_TOPIC else None
    Draft.objects.filter(member=member, topic=topic).delete()


def draft_for(member: User, key: str) -> Draft | None:
    """The member's draft under ``key`` (a topic they can no longer open has none)."""
    try:
        topic = draft_topic(member, key)
    except PostingError:
        return None
    return Draft.objects.filter(member=member, topic=topic).first()
