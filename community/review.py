"""The review inbox's sources: everything that waits for a moderator, from any app.

Each app that has things for a human to decide (forum flags, held referrals, appeals…)
registers a :class:`ReviewSource` at start-up (in its ``AppConfig.ready``); the inbox in
the Wagtail admin only ever talks to this registry, so it knows no app by name, the way
``hearth.sections`` and ``hearth.search`` work.

A source lists its pending items as :class:`ReviewItem` and decides one by key. Every
decision is checked against the current state inside the source's own transaction (the
row locked): an item already decided, restored or withdrawn raises :class:`StaleItem`,
which the inbox shows as "already decided" and which changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from django.dispatch import Signal

from community.live import send_signal_after_commit
from hearth.rules import RuleError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from community.models import User


class StaleItem(RuleError):
    """The item changed since the moderator's page was drawn; nothing was done."""

    code = "stale"


@dataclass(frozen=True)
class Decision:
    """One button a moderator can press on an item ("approve", "dismiss", "reject"...)."""

    name: str
    label: StrOrPromise
    needs_reason: bool = False
    bulk: bool = True
    # The text box's label when the default ("Reason to …, the member reads it") is wrong.
    reason_label: StrOrPromise = ""


@dataclass(frozen=True)
class ReviewItem:
    kind: str  # the source's kind, e.g. "flag"
    key: str  # unique within the kind, e.g. the flagged post's id
    title: str  # one line, plain words: "Post by maya in 'Rye starter…'"
    summary: str  # a few lines of context for the moderator
    created_at: datetime  # when it started waiting (the inbox sorts newest first)
    url: str = ""  # where the thing itself is seen on the site
    member: User | None = None  # whose content or account it is about
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.key}"


class ReviewSource:
    """Subclass per kind of work; register an instance with :func:`register`."""

    kind: ClassVar[str]
    label: ClassVar[StrOrPromise]  # plural, for the filter: "Flagged posts"
    decisions: ClassVar[tuple[Decision, ...]]

    def pending(self) -> Iterable[ReviewItem]:
        raise NotImplementedError

    def count(self) -> int:
        return sum(1 for _ in self.pending())

    def decide(self, *, key: str, decision: str, moderator: User, reason: str = "") -> str:
        """Apply ``decision`` to the item, checked against its current state; return a
        one-line message for the moderator. Raises StaleItem / RuleError when it cannot."""
        raise NotImplementedError


_sources: dict[str, ReviewSource] = {}


def register(source: ReviewSource) -> None:
    _sources[source.kind] = source


def sources() -> list[ReviewSource]:
    return list(_sources.values())


def source(kind: str) -> ReviewSource | None:
    return _sources.get(kind)


# Something new waits for a human (a post hidden by members' flags, a referral held...).
# Apps send it through :func:`announce`; the inbox tells every moderator (a bell). Sent
# after commit, so a rolled-back hold never rings.
needs_review = Signal()


def announce(
    *, kind: str, key: str, text: str | Callable[[], str], skip: Collection[int] = ()
) -> None:
    """Tell moderators (after commit) that item ``kind:key`` needs a human; ``text`` is the
    bell's one line, in plain words (a function: said in each moderator's language).
    ``skip``: ids of members not to tell (the moderator who gave the penalty an appeal is
    about, who may not decide it)."""
    send_signal_after_commit(
        needs_review,
        sender=ReviewSource,
        kind=kind,
        key=key,
        text=text,
        skip=frozenset(skip),
    )
