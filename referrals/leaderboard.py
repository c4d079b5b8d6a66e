"""Leaderboards from the summary table: the board, then "my rank" in two indexed queries.

Dense rank: members with the same number of converted referrals share a rank, and the
next number down is the next rank (1, 1, 2, ...).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

from community.models import User
from hearth import kept_pages
from referrals.models import ReferralScore
from referrals.periods import month_of

# The board for visitors is kept whole (hearth.kept_pages' rules) under the members' pages
# generation: a score that changes, or a member saved (a new name or address, suspended,
# gone) retires it. At most a minute, as a suspension also ends with time.
KEPT_SECONDS = 60
KEPT_PARAMETERS = frozenset({"period"})


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


# --- the board kept for visitors ----------------------------------------------------------


def kept_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The month is in the key: a new month starts a new board.
        prefix = f"referrals:leaderboard:{month_of().key}"
        return kept_pages.served(
            request,
            lambda: kept_pages.page_key(prefix, [kept_pages.MEMBER_PAGES], request),
            lambda: view(request, *args, **kwargs),
            timeout=KEPT_SECONDS,
            parameters=KEPT_PARAMETERS,
        )

    return serve


def scores_changed(**kwargs: Any) -> None:
    """A score changed (the board, a profile's converted referrals): retire the kept pages
    about members. Called by every write to the scores (``_bump_score``'s update sends no
    signal) and by the model's signals."""
    kept_pages.retire_member_pages()


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(
            scores_changed, sender=ReferralScore, dispatch_uid=f"leaderboard-scores-{signal}"
        )
