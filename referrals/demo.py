"""Demo referrals: links, visits, referrals at every stage (one held), a leaderboard with
a tie, and last month's hall of fame. Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from community.demo import ensure_member
from community.models import User
from referrals import actions, awards
from referrals.models import (
    HoldReason,
    Referral,
    ReferralEvent,
    ReferralLink,
    Stage,
    Status,
    Visit,
)
from referrals.periods import month_of

# referrer, referee (username, display name), stage, converted last month?, hold reasons
DEMO_REFERRALS = [
    ("maya", ("tom", "Tom Becker"), Stage.CONVERTED, False, []),
    ("maya", ("zoe", "Zoe Adeyemi"), Stage.CONVERTED, False, []),
    ("maya", ("raj", "Raj Patel"), Stage.ACTIVE, False, []),
    ("ana", ("kim", "Kim Sato"), Stage.CONVERTED, False, []),
    ("ana", ("lou", "Lou Moreau"), Stage.CONVERTED, False, []),
    ("ana", ("ivy", "Ivy Nowak"), Stage.JOINED, False, []),
    ("priya", ("max", "Max Silva"), Stage.CONVERTED, False, []),
    ("priya", ("nia", "Nia Owusu"), Stage.SIGNED_UP, False, []),
    ("priya", ("una", "Una Byrne"), Stage.CONVERTED, True, []),
    ("sam", ("vic", "Vic Lopez"), Stage.CONVERTED, True, []),
    ("sam", ("ola", "Ola Nilsen"), Stage.JOINED, False, [HoldReason.SAME_NETWORK.value]),
]
VISITS_PER_LINK = {"maya": 9, "ana": 7, "priya": 5, "sam": 3, "leo": 1}


def _visits(link: ReferralLink, count: int) -> int:
    if Visit.objects.filter(link=link, visitor__startswith="demo").exists():
        return 0
    now = timezone.now()
    rows = [
        Visit(
            link=link,
            created_at=now - timedelta(days=n, hours=n),
            day=timezone.localtime(now - timedelta(days=n, hours=n)).date(),
            visitor=f"demo{link.pk}x{n}",
            landing=link.destination,
        )
        for n in range(count)
    ]
    Visit.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _referral(referrer: User, referee: User, stage: Stage, last_month: bool, reasons) -> bool:
    if Referral.objects.filter(referee=referee).exists():
        return False
    now = timezone.now()
    when = month_of().previous().start + timedelta(days=10) if last_month else now
    created = when - timedelta(days=3)
    referral = Referral.objects.create(
        referrer=referrer,
        referee=referee,
        link=actions.get_or_create_link(owner=referrer),
        created_at=created,
        status=Status.HELD if reasons else Status.COUNTING,
        hold_reasons=list(reasons),
        held_at=created if reasons else None,
    )
    ReferralEvent.objects.create(referral=referral, stage=Stage.SIGNED_UP, created_at=created)
    reached = {
        Stage.JOINED: ("joined_at", created + timedelta(hours=2)),
        Stage.ACTIVE: ("active_at", created + timedelta(days=1, hours=3)),
    }
    for step in (Stage.JOINED, Stage.ACTIVE):
        if stage >= step:
            field, moment = reached[step]
            ReferralEvent.objects.create(referral=referral, stage=step, created_at=moment)
            setattr(referral, field, moment)
            referral.stage = step
    referral.save()
    if stage == Stage.CONVERTED:
        # An hour before, but inside the month it stands for (on the 1st at 00:10 an hour
        # ago was last month, and this month's board would be empty).
        converted = max(when - timedelta(hours=1), month_of(when).start)
        actions.convert_referral(
            referral=referral,
            via="reaction",
            object_key=f"demo.post:{referee.username}",
            now=converted,
        )
    return True


def load(*, stdout) -> None:
    people = {u.username: u for u in User.objects.filter(username__in=VISITS_PER_LINK)}
    links = 0
    visits = 0
    for username, member in people.items():
        link = actions.get_or_create_link(owner=member)
        links += 1
        visits += _visits(link, VISITS_PER_LINK[username])
    made = 0
    for referrer_name, (username, name), stage, last_month, reasons in DEMO_REFERRALS:
        referrer = people.get(referrer_name)
        if referrer is None:
            continue
        referee = ensure_member(username, display_name=name, joined_days_ago=5)
        made += _referral(referrer, referee, stage, last_month, reasons)
    outcome = awards.award_top_recommenders(period=month_of().previous())
    stdout.write(
        f"  referrals: {links} links, {visits} new visits, {made} new referrals, "
        f"{len(outcome.awards)} top recommenders last month"
    )
