"""Trust levels: Discourse's idea, small. Trust grows with taking part.

- **0 new**: can read, post and chat, but links in their posts and chat messages show as
  text, they cannot attach images, they send at most a couple of invitations a day, and
  their reactions move nobody's referral or points.
- **1 member**: a couple of days since joining, a few posts read, a first post.
- **2 regular**: many days visited, many replies, no penalty for a while.

The thresholds are ``settings.HEARTH_TRUST_LEVELS`` (safe defaults below, a partial dict
overrides only what it names). Staff count as regulars; ``User.trust_level_granted`` is
a floor staff can set. A level is computed from a handful of indexed counts and cached
per member for a few minutes; :func:`forget` drops it when something that can change it
happens (a post, a new day, a penalty).

"Days visited" come from :class:`community.models.MemberDay`, written at most once per
member per day (:func:`record_visit_day`, guarded by the cache). Posts read and written
come from the apps that keep them: each registers an activity counter
(:func:`register_activity`; the forum's reads its read positions and listed posts), so
this module imports no app above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.core.cache import cache
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from community.live import send_signal_after_commit
from community.models import MemberDay, User
from community.moderation.models import Appeal, Penalty
from community.signals import content_published, content_removed, warm_action
from hearth import kept_pages

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NEW = 0
MEMBER = 1
REGULAR = 2
LEVEL_NAMES = {
    NEW: gettext_lazy("new member"),
    MEMBER: gettext_lazy("member"),
    REGULAR: gettext_lazy("regular"),
}

DEFAULT_THRESHOLDS: dict[str, dict[str, int]] = {
    "member": {"days_since_joined": 2, "posts_read": 5, "posts": 1},
    "regular": {"days_visited": 20, "replies": 10, "penalty_free_days": 60},
}
CACHE_SECONDS = 300


def thresholds() -> dict[str, dict[str, int]]:
    configured = getattr(settings, "HEARTH_TRUST_LEVELS", {}) or {}
    return {
        level: {**defaults, **(configured.get(level) or {})}
        for level, defaults in DEFAULT_THRESHOLDS.items()
    }


@dataclass(frozen=True)
class Progress:
    """What a member has done, as the thresholds count it."""

    days_since_joined: int
    posts_read: int
    posts: int
    days_visited: int
    replies: int
    penalised_recently: bool


@dataclass(frozen=True)
class Activity:
    """What one app counted of a member's taking part."""

    posts_read: int = 0
    posts: int = 0
    replies: int = 0

    def __add__(self, other: Activity) -> Activity:
        return Activity(
            self.posts_read + other.posts_read,
            self.posts + other.posts,
            self.replies + other.replies,
        )


_activity_counters: list[Callable[[User], Activity]] = []


def register_activity(counter: Callable[[User], Activity]) -> None:
    """An app that keeps posts or reads adds its counter (in ``AppConfig.ready``)."""
    if counter not in _activity_counters:
        _activity_counters.append(counter)


def _penalised_since(member: User, since: datetime) -> bool:
    """Any penalty (silence, suspension, chat mute, hidden post) in force after ``since``,
    except one lifted on appeal (a mistake). The member's own fields count too: they may
    be set without a recorded penalty."""
    if any(
        until is not None and until > since
        for until in (member.silenced_until, member.suspended_until)
    ):
        return True
    return (
        Penalty.objects.filter(member=member, ends_at__gt=since)
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=since))
        .exclude(appeal__decision=Appeal.Decision.LIFT)
        .exists()
    )


def progress(member: User) -> Progress:
    now = timezone.now()
    regular = thresholds()["regular"]
    recent = now - timedelta(days=regular["penalty_free_days"])
    penalised = _penalised_since(member, recent)
    activity = sum((counter(member) for counter in _activity_counters), Activity())
    return Progress(
        days_since_joined=(now - member.date_joined).days,
        posts_read=activity.posts_read,
        posts=activity.posts,
        days_visited=MemberDay.objects.filter(member=member).count(),
        replies=activity.replies,
        penalised_recently=penalised,
    )


def _missing_for_member(p: Progress) -> list[str]:
    need = thresholds()["member"]
    missing = []
    if p.days_since_joined < need["days_since_joined"]:
        days = need["days_since_joined"] - p.days_since_joined
        missing.append(ngettext("wait %(n)d more day", "wait %(n)d more days", days) % {"n": days})
    if p.posts_read < need["posts_read"]:
        posts = need["posts_read"] - p.posts_read
        missing.append(
            ngettext("read %(n)d more post", "read %(n)d more posts", posts) % {"n": posts}
        )
    if p.posts < need["posts"]:
        posts = need["posts"] - p.posts
        if p.posts == 0 and posts == 1:
            missing.append(_("write your first post"))
        else:
            missing.append(
                ngettext("write %(n)d more post", "write %(n)d more posts", posts) % {"n": posts}
            )
    return missing


def _missing_for_regular(p: Progress) -> list[str]:
    need = thresholds()["regular"]
    missing = []
    if p.days_visited < need["days_visited"]:
        days = need["days_visited"] - p.days_visited
        missing.append(
            ngettext("visit on %(n)d more day", "visit on %(n)d more days", days) % {"n": days}
        )
    if p.replies < need["replies"]:
        replies = need["replies"] - p.replies
        missing.append(
            ngettext("write %(n)d more reply", "write %(n)d more replies", replies) % {"n": replies}
        )
    if p.penalised_recently:
        days = need["penalty_free_days"]
        missing.append(
            ngettext(
                "go %(n)d day without a moderator's penalty",
                "go %(n)d days without a moderator's penalty",
                days,
            )
            % {"n": days}
        )
    return missing


def _earned_level(p: Progress) -> int:
    if _missing_for_member(p):
        return NEW
    if _missing_for_regular(p):
        return MEMBER
    return REGULAR


def _cache_key(member_id: int) -> str:
    return f"trust:level:{member_id}"


def trust_level(member: Any) -> int:
    """The member's level: 0 new, 1 member, 2 regular. Visitors are 0.

    Staff count as regulars, and a granted level is a floor. The answer is cached per
    member (staff included), so a page that asks about many authors costs no queries
    once they are known.
    """
    if member is None or not getattr(member, "is_authenticated", False):
        return NEW
    cached = getattr(member, "_trust_level_cache", None)
    if cached is not None:
        return cached
    granted = member.trust_level_granted or NEW
    level = granted if granted >= REGULAR else cache.get(_cache_key(member.pk))
    if level is None:
        staff = member.is_staff_member
        level = REGULAR if staff else max(granted, _earned_level(progress(member)))
        cache.set(_cache_key(member.pk), level, CACHE_SECONDS)
    member._trust_level_cache = level
    return level


def recall_levels(members: Iterable[Any]) -> None:
    """Read the kept levels of many members in one trip to the cache, so
    :func:`trust_level` asks nothing more for those it finds (a round of chat sends from
    many sockets shows each author's links by their level)."""
    wanted = {
        member.pk: member
        for member in members
        if getattr(member, "is_authenticated", False)
        and getattr(member, "_trust_level_cache", None) is None
        and (member.trust_level_granted or NEW) < REGULAR
    }
    if not wanted:
        return
    found = cache.get_many([_cache_key(pk) for pk in wanted])
    for pk, member in wanted.items():
        level = found.get(_cache_key(pk))
        if level is not None:
            member._trust_level_cache = level


def at_least(member: Any, level: int) -> bool:
    """Whether ``member`` has reached ``level`` (free when a granted level answers)."""
    if member is None or not getattr(member, "is_authenticated", False):
        return level <= NEW
    if (member.trust_level_granted or NEW) >= level:
        return True
    return trust_level(member) >= level


def forget(member_id: int) -> None:
    """Something that can change the level happened: compute it afresh next time (and
    retire the kept pages that show it)."""
    cache.delete(_cache_key(member_id))
    kept_pages.retire_member_pages()


def level_name(level: int) -> StrOrPromise:
    return LEVEL_NAMES.get(level, LEVEL_NAMES[NEW])


def next_unlock(member: User) -> str:
    """What unlocks the next level, in plain words ("" for regulars)."""
    level = trust_level(member)
    if level >= REGULAR:
        return ""
    p = progress(member)
    if level == NEW:
        missing = _missing_for_member(p)
        if not missing:
            return _("You will reach links, images and more invitations within a few minutes.")
    else:
        missing = _missing_for_regular(p)
        if not missing:
            return _("You will reach the regular level within a few minutes.")
    if len(missing) == 1:
        steps = missing[0]
    else:
        steps = _("%(steps)s and %(last)s") % {
            "steps": ", ".join(missing[:-1]),
            "last": missing[-1],
        }
    if level == NEW:
        return _("To unlock links, images and more invitations: %(steps)s.") % {"steps": steps}
    return _("To unlock the regular level: %(steps)s.") % {"steps": steps}


# --- what the levels allow (one place per rule) --------------------------------------


def may_post_links(member: Any) -> bool:
    """Links in their posts and chat messages are clickable (else shown as text)."""
    return at_least(member, MEMBER)


def may_attach_images(member: Any) -> bool:
    return at_least(member, MEMBER)


def counts_for_others(member: Any) -> bool:
    """Whether the member's reactions can earn others points or convert a referral."""
    return at_least(member, MEMBER)


# --- days visited -----------------------------------------------------------------------


def record_visit_day(member: User) -> None:
    """Note that ``member`` visited today: one insert a day at most, not one per request."""
    today = timezone.localdate()
    if not cache.add(f"trust:day:{member.pk}:{today.isoformat()}", 1, 60 * 60 * 26):
        return
    created = MemberDay.objects.bulk_create(
        [MemberDay(member=member, day=today)], ignore_conflicts=True
    )
    if created:
        forget(member.pk)
    note_streak(member, today)


STREAK_DAYS = 7


def days_in_a_row(member: User, today: date) -> int:
    """How many consecutive days up to ``today`` the member visited (0 if not today)."""
    run = 0
    expected = today
    while True:
        days = list(
            MemberDay.objects.filter(member=member, day__lte=expected)
            .order_by("-day")
            .values_list("day", flat=True)[:64]
        )
        for day in days:
            if day != expected:
                return run
            run += 1
            expected -= timedelta(days=1)
        if len(days) < 64:
            return run


def note_streak(member: User, today: date) -> None:
    """Every STREAK_DAYS consecutive visit days (the 7th, 14th, ... day of a run) is a
    warm action, named by the member and the day it was reached."""
    run = days_in_a_row(member, today)
    if not run or run % STREAK_DAYS:
        return
    send_signal_after_commit(
        warm_action,
        sender=MemberDay,
        member=member,
        action="streak",
        key=f"member:{member.pk}:{today.isoformat()}",
        reason=ngettext("You visited %(n)d day in a row", "You visited %(n)d days in a row", run)
        % {"n": run},
        actor=None,
    )


# --- receivers (connected when community.apps imports this module) -------------------


@receiver(user_logged_in, dispatch_uid="community.record_visit_day")
def record_visit_day_at_sign_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    # The middleware notes later days; noting the first here keeps requests write-free.
    record_visit_day(user)


@receiver(content_published, dispatch_uid="community.trust_after_content")
@receiver(content_removed, dispatch_uid="community.trust_after_removal")
def forget_trust_level(sender: Any, author: User | None = None, **kwargs: Any) -> None:
    if author is not None:
        forget(author.pk)
