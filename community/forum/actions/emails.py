"""Which forum notifications a member also gets by email, besides the bell.

Mentions email unless the member turned it off (``User.email_on_mention``, also on their
profile's edit page); answers to their posts, new posts in topics they watch and new
topics in categories or tags they watch email only when they turned that on
(:class:`~community.forum.models.NotificationEmails`, the forum's preferences page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from community.models import User
from hearth.i18n import for_member
from hearth.mail import queue_email

from ..models import NotificationEmails

# The kinds a member may turn on, by field of NotificationEmails.
EMAIL_KINDS = ("answers", "watched_posts", "watched_topics")


@transaction.atomic
def set_notification_emails(
    *, member: User, mentions: bool, answers: bool, watched_posts: bool, watched_topics: bool
) -> NotificationEmails:
    if member.email_on_mention != mentions:
        member.email_on_mention = mentions
        member.save(update_fields=["email_on_mention"])
    chosen, _ = NotificationEmails.objects.update_or_create(
        member=member,
        defaults={
            "answers": answers,
            "watched_posts": watched_posts,
            "watched_topics": watched_topics,
        },
    )
    return chosen


def notification_emails(member: User) -> NotificationEmails:
    """The member's choices (all off when they never chose)."""
    found = NotificationEmails.objects.filter(member=member).first()
    return found or NotificationEmails(member=member)


def email_notified(
    *, kind: str, members: Iterable[User], text: str | Callable[[], str], url: str
) -> None:
    """Email the notification ``text`` to those of ``members`` (just notified) who turned
    ``kind`` on (one query; none when nobody was notified), each in their language (``text``
    may be a function that says it in the active one)."""
    assert kind in EMAIL_KINDS
    by_pk = {member.pk: member for member in members if member.email}
    if not by_pk:
        return
    wanted = NotificationEmails.objects.filter(member_id__in=by_pk, **{kind: True})
    preferences = f"{settings.BASE_URL}{reverse('forum:preferences')}"
    for member_id in wanted.values_list("member_id", flat=True):
        member = by_pk[member_id]
        with for_member(member):
            words = text() if callable(text) else text
            body = _(
                "Hello %(name)s,\n\n%(text)s:\n\n%(url)s\n\n"
                "You get this email because you turned it on in your forum notification "
                "preferences. Turn it off at %(preferences)s\n"
            ) % {
                "name": member.name,
                "text": words,
                "url": f"{settings.BASE_URL}{url}",
                "preferences": preferences,
            }
        queue_email(subject=f"[{settings.SITE_NAME}] {words}", body=body, to=[member.email])
