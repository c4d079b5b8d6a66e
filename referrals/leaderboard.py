"""Leaderboards from the summary table: the board, then "my rank" in two indexed queries.

Dense rank: members with the same number of converted referrals share a rank, and the
next number down is the next rank (1, 1, 2, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from community.models import User
from referrals.models import ReferralScore


@dataclass(frozen=True)
class Row:
    rank: int
    member: User
    converted: int


@dataclass(frozen=True)
class Standing:
    converted: int
    rank: int | None  # None: not on the board yet
    of: int
    next_converted: int | None  # the score just above mine
    tied_with: int = 0  # others on the same score

    @property
    def to_pass(self) -> int | None:
        if self.next_converted is None:
            return None
        return self.next_converted - self.converted + 1

    @property
    def is_top(self) -> bool:
        return self.rank == 1


def ranked_scores(period: str):
    """Scores that count for the board: above zero, members in good standing."""
    return ReferralScore.objects.filter(
        period=period,
        converted__gt=0,
        member_id__in=User.objects.in_good_standing().values("pk"),
    )


def board(period: str, *, limit: int = 50) -> list[Row]:
    scores = (
        ranked_scores(period)
        .select_related("member")
        .order_by("-converted", "member__username")[:limit]
    )
    rows: list[Row] = []
    rank = 0
    previous = None
    for score in scores:
        if score.converted != previous:
            rank += 1
            previous = score.converted
        rows.append(Row(rank=rank, member=score.member, converted=score.converted))
    return rows


def standing(period: str, member: User) -> Standing:
    """The member's rank, how many are on the board, and the score to beat.

    Two indexed queries: the member's own score, then the board's histogram (how many
    members have each score). Dense rank is one more than the number of distinct
    scores above the member's; scores are small numbers, so the histogram is short.
    """
    mine = (
        ReferralScore.objects.filter(period=period, member=member)
        .values_list("converted", flat=True)
        .first()
        or 0
    )
    histogram = list(
        ranked_scores(period)
        .order_by()
        .values("converted")
        .annotate(members=Count("pk"))
        .values_list("converted", "members")
    )
    of = sum(members for _, members in histogram)
    above = sorted(value for value, _ in histogram if value > mine)
    if mine <= 0:
        return Standing(converted=0, rank=None, of=of, next_converted=None)
    same = next((members for value, members in histogram if value == mine), 1)
    return Standing(
        converted=mine,
        rank=len(above) + 1,
        of=of,
        next_converted=above[0] if above else None,
        tied_with=max(same - 1, 0),
    )
