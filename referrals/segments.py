"""The referral hub's segments (``community.segments``), registered in ``ready``.

- "referred": arrived through a referral (a link or an email invite) that a moderator
  did not reject. Held, revoked and unconfirmed referrals still say how the person
  came, so they count here.
- "not_referred": everyone else; with "referred" it splits "all" in two.
- "joined_via_link" / "joined_via_invite": "referred", split by what brought them (a
  referral with an invite came through the emailed invitation, one without through a
  link's visit). Together they are "referred".
- "top_recommenders": at least one counting, converted referral this month, read from
  the monthly score the leaderboard ranks by (``ReferralScore``), so the segment and
  the leaderboard always agree. A month, not all time: it is who to thank now.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy

from community.models import User
from community.segments import Segment, everyone, register
from referrals.models import Referral, ReferralScore, Status
from referrals.periods import month_of


def came_through(**filters) -> Exists:
    """A member has a referral (with ``filters``) that a moderator did not reject."""
    return Exists(
        Referral.objects.filter(referee=OuterRef("pk"), **filters).exclude(status=Status.REJECTED)
    )


def referred(now: datetime) -> QuerySet[User]:
    return everyone().filter(came_through())


def not_referred(now: datetime) -> QuerySet[User]:
    return everyone().exclude(came_through())


def joined_via_link(now: datetime) -> QuerySet[User]:
    return everyone().filter(came_through(invite__isnull=True))


def joined_via_invite(now: datetime) -> QuerySet[User]:
    return everyone().filter(came_through(invite__isnull=False))


def top_recommenders(now: datetime) -> QuerySet[User]:
    return everyone().filter(
        Exists(
            ReferralScore.objects.filter(
                member=OuterRef("pk"), period=month_of(now).key, converted__gte=1
            )
        )
    )


def register_segments() -> None:
    register(
        Segment(
            "referred",
            gettext_lazy("Referred members"),
            gettext_lazy("Joined through a member's link or email invite."),
            referred,
        )
    )
    register(
        Segment(
            "not_referred",
            gettext_lazy("Members who came by themselves"),
            gettext_lazy("Joined without a referral."),
            not_referred,
        )
    )
    register(
        Segment(
            "joined_via_link",
            gettext_lazy("Joined through a link"),
            gettext_lazy("Referred by following a member's referral link."),
            joined_via_link,
        )
    )
    register(
        Segment(
            "joined_via_invite",
            gettext_lazy("Joined through an email invite"),
            gettext_lazy("Referred by an invitation a member emailed them."),
            joined_via_invite,
        )
    )
    register(
        Segment(
            "top_recommenders",
            gettext_lazy("Top recommenders this month"),
            gettext_lazy("At least one referral that converted and counts this month."),
            top_recommenders,
        )
    )
