"""The member's day: birthday and join-anniversary greetings, and the birthday bonus.

It lives with the points ledger (recognition is the referral hub's), so the bonus is paid
in the greeting's own transaction without the community app importing the hub.

``manage.py send_greetings`` (daily, from the scheduler) calls :func:`send_greetings` for
today in the site's time zone. Each greeting is a :class:`~community.models.Greeting`
row, unique per member, kind and date, inserted in the transaction that also writes the
bell notification, queues the email and pays the bonus: a second run on the same day,
or one racing the first, finds the row taken and does nothing.

- A birthday is the member's month and day; 29 February is greeted on 28 February in
  years without it. An anniversary is the day of the month the member joined, from the
  first year on, with the same rule for a 29 February join.
- The birthday bonus comes through the points ledger (the ``birthday`` points rule, which
  editors can change or switch off): at most once per calendar year (its idempotency
  key) and never within 365 days of the last one, so moving the birthday cannot pay twice.
  It waits for a confirmed email address (a throwaway account earns nothing).
- Members who are suspended or inactive are not greeted. The bell always greets; the
  email only when the member kept "Email me on my birthday and join anniversary" on.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.actions import notify
from community.models import Greeting, User
from hearth.i18n import for_member
from hearth.mail import queue_email
from referrals import points
from referrals.models import PointsEntry, PointsRule

logger = logging.getLogger(__name__)

# A birthday bonus never follows another one within this many days.
BONUS_GAP_DAYS = 365
LEAP_DAY = (2, 29)


def site_today() -> date:
    """Today in the site's time zone (settings.TIME_ZONE), whatever is active."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _stands_in_for_leap_day(on: date) -> bool:
    """28 February of a year without a 29th greets those born or joined on the 29th."""
    return (on.month, on.day) == (2, 28) and not calendar.isleap(on.year)


def _days_greeted(on: date) -> list[tuple[int, int]]:
    days = [(on.month, on.day)]
    if _stands_in_for_leap_day(on):
        days.append(LEAP_DAY)
    return days


def is_birthday(*, month: int | None, day: int | None, on: date) -> bool:
    return month is not None and day is not None and (month, day) in _days_greeted(on)


def years_since_joining(*, joined: date, on: date) -> int:
    """Whole years since ``joined`` when ``on`` is its anniversary; 0 on any other day."""
    years = on.year - joined.year
    if years < 1 or (joined.month, joined.day) not in _days_greeted(on):
        return 0
    return years


@dataclass
class Outcome:
    """What one run did (the command prints it)."""

    birthdays: int = 0
    anniversaries: int = 0
    bonuses: int = 0
    failed: list[str] = field(default_factory=list)


def send_greetings(*, on: date | None = None) -> Outcome:
    """Greet every member in good standing whose birthday or anniversary is ``on``."""
    on = on or site_today()
    outcome = Outcome()
    for member, kind in _due(on):
        try:
            greeting, bonus = greet(member=member, kind=kind, on=on)
        except Exception:  # one member's failure must not cost everyone else their day
            logger.exception("greeting %s for member %s on %s failed", kind, member.pk, on)
            outcome.failed.append(member.username)
            continue
        if greeting is None:
            continue
        if kind == Greeting.Kind.BIRTHDAY:
            outcome.birthdays += 1
        else:
            outcome.anniversaries += 1
        if bonus is not None:
            outcome.bonuses += 1
    return outcome


def _due(on: date) -> list[tuple[User, str]]:
    days = _days_greeted(on)
    born = Q()
    joined = Q()
    for month, day in days:
        born |= Q(birthday_month=month, birthday_day=day)
        joined |= Q(date_joined__month=month, date_joined__day=day)
    # date_joined__month/day are taken in the current time zone: make it the site's.
    with timezone.override(timezone.get_default_timezone()):
        members = list(
            User.objects.in_good_standing()
            .filter(born | (joined & Q(date_joined__year__lt=on.year)))
            .order_by("pk")
        )
    greeted = set(Greeting.objects.filter(on_date=on).values_list("member_id", "kind"))
    due: list[tuple[User, str]] = []
    for member in members:
        if (
            is_birthday(month=member.birthday_month, day=member.birthday_day, on=on)
            and (member.pk, Greeting.Kind.BIRTHDAY) not in greeted
        ):
            due.append((member, Greeting.Kind.BIRTHDAY))
        joined_on = timezone.localdate(member.date_joined, timezone.get_default_timezone())
        if (
            years_since_joining(joined=joined_on, on=on)
            and (member.pk, Greeting.Kind.ANNIVERSARY) not in greeted
        ):
            due.append((member, Greeting.Kind.ANNIVERSARY))
    return due


@transaction.atomic
def greet(*, member: User, kind: str, on: date) -> tuple[Greeting | None, PointsEntry | None]:
    """Greet ``member`` for ``kind`` on ``on`` once: (None, None) when it was done before."""
    try:
        with transaction.atomic():
            greeting = Greeting.objects.create(member=member, kind=kind, on_date=on)
    except IntegrityError:
        return None, None  # greeted already, perhaps by a run racing this one
    bonus = None
    if kind == Greeting.Kind.BIRTHDAY:
        bonus = pay_birthday_bonus(member=member, on=on)
        with for_member(member):
            text, subject, body = _birthday_words(member=member, bonus=bonus)
        url = reverse("referrals:mine") if bonus is not None else member.get_absolute_url()
    else:
        years = years_since_joining(
            joined=timezone.localdate(member.date_joined, timezone.get_default_timezone()), on=on
        )
        with for_member(member):
            text, subject, body = _anniversary_words(member=member, years=years)
        url = member.get_absolute_url()
    notify(recipient=member, kind=f"greeting_{kind}", text=text, url=url)
    if member.greetings_by_email and member.email:
        edit_url = reverse("community:edit-profile", kwargs={"username": member.username})
        with for_member(member):
            hello = _("Hello %(name)s,") % {"name": member.name}
            why = _(
                "You get this email because birthday and anniversary emails are on in your "
                "profile. Turn them off at %(url)s"
            ) % {"url": f"{settings.BASE_URL}{edit_url}"}
        queue_email(
            subject=f"[{settings.SITE_NAME}] {subject}",
            body=f"{hello}\n\n{body}\n\n{settings.BASE_URL}{url}\n\n{why}\n",
            to=[member.email],
        )
    return greeting, bonus


def pay_birthday_bonus(*, member: User, on: date) -> PointsEntry | None:
    """The yearly bonus: once per calendar year, and never within 365 days of the last.

    The 365 days are what stop a member who moves their birthday from being paid twice;
    the yearly key is what the database enforces when two payments race.
    """
    if not EmailAddress.objects.filter(user=member, verified=True).exists():
        return None  # no points for an account whose address nobody confirmed
    action = PointsRule.Action.BIRTHDAY
    first_allowed = on - timedelta(days=BONUS_GAP_DAYS - 1)
    since = timezone.make_aware(
        datetime.combine(first_allowed, time.min), timezone.get_default_timezone()
    )
    recent = PointsEntry.objects.filter(
        member=member, idempotency_key__startswith=f"{action}:", created_at__gte=since
    )
    if recent.exists():
        return None
    with for_member(member):
        reason = _("A birthday bonus — happy birthday from %(site)s!") % {
            "site": settings.SITE_NAME
        }
    return points.reward(member=member, action=action, key=f"{member.pk}:{on.year}", reason=reason)


def _birthday_words(*, member: User, bonus: PointsEntry | None) -> tuple[str, str, str]:
    subject = _("Happy birthday, %(name)s!") % {"name": member.name}
    if bonus is None:
        text = _("Happy birthday, %(name)s, from all of us at %(site)s!") % {
            "name": member.name,
            "site": settings.SITE_NAME,
        }
        body = _("Happy birthday from all of us at %(site)s!") % {"site": settings.SITE_NAME}
        return text, subject, body
    gift = ngettext(
        "Here is %(n)d point from all of us at %(site)s.",
        "Here are %(n)d points from all of us at %(site)s.",
        bonus.amount,
    ) % {"n": bonus.amount, "site": settings.SITE_NAME}
    where = _("Your points are on your referrals page:")
    return f"{subject} {gift}", subject, f"{gift} {where}"


def _anniversary_words(*, member: User, years: int) -> tuple[str, str, str]:
    joined = ngettext(
        "You joined %(site)s %(n)d year ago today.",
        "You joined %(site)s %(n)d years ago today.",
        years,
    ) % {"n": years, "site": settings.SITE_NAME}
    subject = ngettext(
        "%(n)d year with %(site)s today", "%(n)d years with %(site)s today", years
    ) % {"n": years, "site": settings.SITE_NAME}
    thanks = _("Thank you for being part of the community!")
    return f"{joined} {thanks}", subject, f"{joined} {thanks}"
