"""The digest: one email a week at most, to members who have been away, with what
happened since their last visit.

Apps add their part (``register_part``) in their AppConfig.ready(): the forum its busiest
new topics, the blog its new posts and guides, the referral hub the member's referral
news. A part is a function ``(member, since) -> DigestPart | None``; a member for whom
every part is empty gets no email.

``send_digests`` (``manage.py send_digests``, daily from the scheduler) picks members
whose last visit is older than ``DIGEST_AWAY_DAYS``, with a confirmed address and
digests on, and records each email as a ``DigestSent`` row for the ISO week before it is
queued, in one transaction: the unique row means a member never gets the same week's
digest twice, however often or concurrently the command runs. The email goes out from
the task worker (hearth.mail), with RFC 8058 one-click unsubscribe headers and a signed
link that needs no sign-in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hearth.i18n import for_member
from hearth.mail import queue_email
from hearth.signed_links import member_token, read_member_token

from .models import DigestSent, MemberDay, Notification, User

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "community.digest.unsubscribe"
# A digest looks back this far at most, however long the member was away.
LOOK_BACK = timedelta(days=30)
ITEMS_PER_PART = 5


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str  # absolute
    detail: str = ""


@dataclass(frozen=True)
class DigestPart:
    heading: str
    items: tuple[DigestItem, ...]


Part = Callable[[User, datetime], "DigestPart | None"]
_parts: list[tuple[int, str, Part]] = []


def register_part(*, order: int = 50) -> Callable[[Part], Part]:
    def decorator(func: Part) -> Part:
        key = f"{func.__module__}.{func.__qualname__}"
        _parts[:] = [entry for entry in _parts if entry[1] != key]
        _parts.append((order, key, func))
        _parts.sort(key=lambda entry: (entry[0], entry[1]))
        return func

    return decorator


def absolute(path: str) -> str:
    return path if path.startswith("http") else f"{settings.BASE_URL}{path}"


def week_of(moment: datetime) -> str:
    year, week, _ = timezone.localtime(moment).isocalendar()
    return f"{year}-W{week:02d}"


# --- the signed unsubscribe link --------------------------------------------------------


class LinkInvalid(Exception):
    pass


def unsubscribe_token(member: User) -> str:
    return member_token(member.pk, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int:
    member_id = read_member_token(token, salt=UNSUBSCRIBE_SALT)
    if member_id is None:
        raise LinkInvalid
    return member_id


def unsubscribe_url(member: User) -> str:
    return absolute(reverse("community:digest-unsubscribe", args=[unsubscribe_token(member)]))


def turn_digests_off(*, member_id: int) -> None:
    if not User.objects.filter(pk=member_id).exists():
        raise LinkInvalid
    User.objects.filter(pk=member_id).update(digest_emails=False)


# --- who gets one, and what it says -----------------------------------------------------


def candidates(*, now: datetime) -> QuerySet[User]:
    """Members away long enough, with a confirmed address and digests on, not yet sent
    this week's digest (one query: a shortlist the sender checks again per member)."""
    away_since = timezone.localdate(now) - timedelta(days=settings.DIGEST_AWAY_DAYS)
    last_visit = MemberDay.objects.filter(member=OuterRef("pk")).order_by().values("member")
    confirmed = EmailAddress.objects.filter(
        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    sent = DigestSent.objects.filter(member=OuterRef("pk"), week=week_of(now))
    return (
        User.objects.filter(is_active=True, digest_emails=True)
        .exclude(email="")
        .filter(date_joined__lte=now - timedelta(days=settings.DIGEST_AWAY_DAYS))
        .filter(Q(suspended_until__isnull=True) | Q(suspended_until__lte=now))
        .filter(Exists(confirmed))
        .exclude(Exists(sent))
        .exclude(Exists(last_visit.filter(day__gt=away_since)))
        .order_by("pk")
    )


def since_for(member: User, *, now: datetime) -> datetime:
    """The start of the member's last visit day, or LOOK_BACK ago if that is earlier."""
    last = MemberDay.objects.filter(member=member).aggregate(day=Max("day"))["day"]
    floor = now - LOOK_BACK
    if last is None:
        return max(floor, member.date_joined)
    return max(floor, timezone.make_aware(datetime.combine(last, time.min)))


def parts_for(member: User, since: datetime) -> list[DigestPart]:
    parts = []
    for _order, _name, func in _parts:
        part = func(member, since)
        if part is not None and part.items:
            parts.append(part)
    return parts


@register_part(order=90)
def unread_notifications(member: User, since: datetime) -> DigestPart | None:
    unread = Notification.objects.unread_count(member.pk)
    if not unread:
        return None
    text = ngettext("%(count)d unread notification", "%(count)d unread notifications", unread) % {
        "count": unread
    }
    return DigestPart(
        _("Waiting for you"), (DigestItem(text, absolute(reverse("community:notifications"))),)
    )


def render_digest(
    member: User, parts: list[DigestPart], *, since: datetime
) -> tuple[str, str, str]:
    """The email's subject, plain text and HTML."""
    context = {
        "member": member,
        "parts": parts,
        "since": since,
        "site_name": settings.SITE_NAME,
        "site_url": settings.BASE_URL,
        "unsubscribe_url": unsubscribe_url(member),
        "preferences_url": absolute(reverse("community:my-profile")),
    }
    subject = _("What you missed on %(site_name)s") % {"site_name": settings.SITE_NAME}
    text = render_to_string("community/email/digest.txt", context)
    html = render_to_string("community/email/digest.html", context)
    return subject, text, html


@dataclass
class Sent:
    sent: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


def send_digest(*, member: User, now: datetime) -> bool:
    """Email ``member`` this week's digest, once; False when there is nothing to say or
    it went already."""
    since = since_for(member, now=now)
    with for_member(member):  # the member's language and time zone, not the sender's
        parts = parts_for(member, since)
        if not parts:
            return False
        subject, text, html = render_digest(member, parts, since=since)
    unsubscribe = unsubscribe_url(member)
    try:
        with transaction.atomic():
            DigestSent.objects.create(member=member, week=week_of(now), sent_at=now)
            queue_email(
                subject=subject,
                body=text,
                html=html,
                to=[member.email],
                headers={
                    "List-Unsubscribe": f"<{unsubscribe}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
    except IntegrityError:
        return False  # another run sent this week's digest meanwhile
    return True


def send_digests(*, now: datetime | None = None, limit: int = 1000) -> Sent:
    """This week's digest to up to ``limit`` members who are due one (idempotent)."""
    now = now or timezone.now()
    outcome = Sent()
    for member in candidates(now=now)[:limit]:
        try:
            if send_digest(member=member, now=now):
                outcome.sent += 1
            else:
                outcome.skipped += 1
        except Exception:
            logger.exception("Could not send the digest to member %s", member.pk)
            outcome.failed.append(member.username)
    return outcome
