"""Bookmarks: a member keeps a topic or a post to come back to, with an optional reminder
that rings their bell once (``send_bookmark_reminders``, run by the scheduler)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User
from community.notifications import notify

from ..models import Bookmark, Post, Topic

# How many reminders one run sends at most; the next run (minutes later) takes the rest.
REMINDERS_PER_RUN = 500


@transaction.atomic
def bookmark(
    *, member: User, topic: Topic, post: Post | None = None, remind_at: datetime | None = None
) -> Bookmark:
    """Keep ``topic`` (or one of its posts) for ``member``, or change the reminder of the
    bookmark they have. The caller has checked that they may read it. Saving again is
    the same bookmark, never a second one; a new reminder time rings again."""
    if post is not None and post.topic_id != topic.pk:
        raise ValueError("The post is not in that topic.")
    kept, _ = Bookmark.objects.update_or_create(
        member=member,
        topic=topic,
        post=post,
        defaults={"remind_at": remind_at, "reminded_at": None},
    )
    return kept


@transaction.atomic
def remove_bookmark(*, member: User, topic: Topic, post: Post | None = None) -> bool:
    """Forget the bookmark; True if there was one."""
    deleted, _ = Bookmark.objects.filter(member=member, topic=topic, post=post).delete()
    return bool(deleted)


def _reminder_text(kept: Bookmark) -> str:
    if kept.post is None:
        return _("Reminder: “%(title)s”, which you bookmarked.") % {"title": kept.topic.title}
    return _("Reminder: post #%(number)d in “%(title)s”.") % {
        "number": kept.post.number,
        "title": kept.topic.title,
    }


def send_bookmark_reminders(*, now: datetime | None = None) -> int:
    """Ring the bell for every reminder that is due, once each, and return how many rang.

    Each reminder is claimed with a conditional UPDATE before its notification is made,
    in one transaction, so two runs at once (or a run retried) never ring twice. A
    reminder on something its member may no longer read is claimed and stays silent.
    """
    now = now or timezone.now()
    due = list(
        Bookmark.objects.due(now)
        .select_related("member", "topic", "post")
        .order_by("remind_at", "pk")[:REMINDERS_PER_RUN]
    )
    rang = 0
    for kept in due:
        with transaction.atomic():
            claimed = Bookmark.objects.filter(pk=kept.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            if not Bookmark.objects.of(kept.member).filter(pk=kept.pk).exists():
                continue

            def reminder(kept: Bookmark = kept) -> str:
                return _reminder_text(kept)

            notify(
                recipient=kept.member,
                kind="bookmark_reminder",
                text=reminder,
                url=kept.get_absolute_url(),
            )
            rang += 1
    return rang
