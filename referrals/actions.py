"""Referral verbs. Views, the webhook, signal receivers and commands all call these.

With ``referrals.invites``, ``referrals.shop`` and ``referrals.awards`` (verbs built on
these), they are the only code that writes referral stages, points, scores, badges and
awards.
Each is keyword-only and atomic; a change to one referral starts by locking its row,
and every "only once" is a unique constraint (events per stage, ledger keys, award
sets), so retries and races are harmless. Notifications, emails and live events go out
after commit.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from community.actions import notify
from community.live import after_commit
from community.models import EDITORS_GROUP, User
from hearth.i18n import for_member
from hearth.rules import RuleError
from referrals import attribution, badges, engagement, fraud, leaderboard, points, recruiting
from referrals.models import (
    ACTIVE_AFTER,
    ATTRIBUTION_WINDOW,
    BADGES,
    MONTHLY_BEEP_AT,
    ActivityCandidate,
    ConversionVia,
    HoldReason,
    Invite,
    MemberBadge,
    MemberNetwork,
    PointsRule,
    Referral,
    ReferralEvent,
    ReferralLink,
    ReferralScore,
    RevokeReason,
    SignUp,
    Stage,
    Status,
    ThankYouTask,
    Visit,
    new_code,
    object_key,
)
from referrals.periods import ALL_TIME, Month, month_of

logger = logging.getLogger(__name__)

ACTIVITY_KINDS = {"topic", "post", "guide", "chat"}
ENGAGEMENT_ACTIONS = {
    "topic": PointsRule.Action.TOPIC,
    "post": PointsRule.Action.POST,
    "guide": PointsRule.Action.GUIDE,
    "chat": PointsRule.Action.CHAT,
}
MAX_OPEN_CANDIDATES = 20


REVIEW_PERMISSION = "referrals.review_referral"
THANK_YOU_PERMISSION = "referrals.send_thank_you"


class ReferralError(RuleError):
    """A referral rule said no; the message is written for the person who asked."""


def day_month(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return date_format(local, "j F")


def my_referrals_url() -> str:
    return reverse("referrals:mine")


# --- Links ----------------------------------------------------------------------------


@transaction.atomic
def get_or_create_link(
    *, owner: User, target_path: str = "", target_title: str = ""
) -> ReferralLink:
    """The member's link to ``target_path`` ("" = their personal link), made on first use."""
    link = ReferralLink.objects.filter(owner=owner, target_path=target_path).first()
    if link is not None:
        if target_title and link.target_title != target_title[:200]:
            link.target_title = target_title[:200]
            link.save(update_fields=["target_title"])
        return link
    for _attempt in range(8):
        try:
            with transaction.atomic():
                link = ReferralLink.objects.create(
                    owner=owner,
                    code=new_code(),
                    target_path=target_path,
                    target_title=target_title[:200],
                )
        except IntegrityError:
            link = ReferralLink.objects.filter(owner=owner, target_path=target_path).first()
            if link is not None:
                return link  # made by a concurrent request
            continue  # the random code was taken: draw again
        attribution.forget_link(link.code)
        return link
    raise RuntimeError("Could not find a free referral code after several tries.")


@transaction.atomic
def set_link_enabled(*, link: ReferralLink, by: User, enabled: bool) -> ReferralLink:
    """Disable or re-enable a link. A link a moderator disabled only a moderator re-enables."""
    link = ReferralLink.objects.select_for_update().get(pk=link.pk)
    is_owner = by.pk == link.owner_id
    if not (is_owner or by.is_moderator):
        raise PermissionDenied("Only the link's owner or a moderator can change it.")
    if enabled == (not link.is_disabled):
        return link
    if enabled and link.disabled_by_staff and not by.is_moderator:
        raise ReferralError(
            _("A moderator disabled this link; ask the moderators if you think it should work."),
            code="forbidden",
        )
    link.disabled_at = None if enabled else timezone.now()
    link.disabled_by = None if enabled else by
    link.save(update_fields=["disabled_at", "disabled_by"])
    log(
        instance=link,
        action="hearth.referrals.enable_link" if enabled else "hearth.referrals.disable_link",
        user=by,
        data={"code": link.code, "owner": link.owner_id},
    )
    if not is_owner:
        with for_member(link.owner):
            if enabled:
                text = _("A moderator re-enabled your referral link %(path)s.")
            else:
                text = _("A moderator disabled your referral link %(path)s.")
            text %= {"path": f"/r/{link.code}/"}
        notify(
            recipient=link.owner,
            kind="referral_link",
            text=text,
            url=my_referrals_url(),
            actor=by,
        )
    after_commit(lambda: attribution.forget_link(link.code), what="forgetting a cached link")
    return link


# --- Visits and sign-ups ------------------------------------------------------------------


def record_visit(
    *, link: attribution.LinkInfo, request: HttpRequest, now: datetime | None = None
) -> str | None:
    """Log that ``request`` followed ``link``; return the key for the browser's visit
    cookie (None for a crawler, which keeps no cookies).

    A person is known by their visit cookie (a new key when they have none), a crawler by
    its network and user agent, so each is counted once a day per link (the unique rule).
    The owner following their own link and HEAD requests (link checkers) are not visits.
    The write is one statement and nothing else (no read, no transaction around it):
    ``INSERT ... ON CONFLICT DO NOTHING``, which PostgreSQL and SQLite both speak.
    """
    network = attribution.network_hash(request)
    agent_hash = attribution.ua_hash(request)
    crawler = attribution.is_crawler(attribution.user_agent(request))
    if crawler:
        visitor = (network[:11] + agent_hash[:11]) or attribution.new_visitor_key()
    else:
        visitor = attribution.visitor_from_cookie(request) or attribution.new_visitor_key()
    is_owner = request.user.is_authenticated and request.user.pk == link.owner_id
    if request.method == "GET" and not is_owner:
        _insert_visit(
            link=link,
            now=now or timezone.now(),
            values={
                "visitor": visitor,
                "network_hash": network,
                "ua_hash": agent_hash,
                "is_crawler": crawler,
                "landing": link.destination[:300],
                "referer": _printable(request.META.get("HTTP_REFERER", ""))[:300],
            },
        )
    return None if crawler else visitor


def _printable(value: str) -> str:
    # Headers are the visitor's to write: keep what a text column can store.
    return "".join(ch for ch in value if ch.isprintable())


def _insert_visit(*, link: attribution.LinkInfo, now: datetime, values: dict) -> None:
    ops = connection.ops
    row = {
        "link_id": link.id,
        "created_at": ops.adapt_datetimefield_value(now),
        "day": ops.adapt_datefield_value(timezone.localtime(now).date()),
        **values,
    }
    table = ops.quote_name(Visit._meta.db_table)
    columns = ", ".join(ops.quote_name(column) for column in row)
    placeholders = ", ".join(["%s"] * len(row))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING",
            list(row.values()),
        )


def record_member_network(*, member: User, request: HttpRequest) -> None:
    """Remember (hashed) that ``member`` signed in from this network, for fraud checks."""
    network = attribution.network_hash(request)
    if not network:
        return
    now = timezone.now()
    MemberNetwork.objects.bulk_create(
        [MemberNetwork(member=member, network_hash=network, first_seen=now, last_seen=now)],
        update_conflicts=True,
        unique_fields=["member", "network_hash"],
        update_fields=["last_seen"],
    )


def _earliest_valid_visit(*, browser: str, user: User, now: datetime) -> Visit | None:
    if not browser:
        return None
    return (
        Visit.objects.filter(
            visitor=browser,
            created_at__gte=now - ATTRIBUTION_WINDOW,
            is_crawler=False,
            link__disabled_at__isnull=True,
            link__owner__is_active=True,
        )
        .exclude(link__owner=user)
        .select_related("link", "link__owner")
        .order_by("created_at", "id")
        .first()
    )


def _earliest_valid_invite(*, user: User, now: datetime) -> Invite | None:
    if not user.email:
        return None
    return (
        Invite.objects.unexpired(now)
        .filter(email__iexact=user.email, sender__is_active=True, link__disabled_at__isnull=True)
        .exclude(sender=user)
        .select_related("link", "sender")
        .order_by("created_at", "id")
        .first()
    )


@transaction.atomic
def attribute_signup(*, user: User, request: HttpRequest) -> Referral | None:
    """At sign-up: record how the member arrived and credit the earliest valid visit.

    The earliest visit from this browser within the 90-day window wins (the first
    referrer keeps it); without one, the earliest unexpired email invite to the address.
    """
    now = timezone.now()
    network = attribution.network_hash(request)
    browser = attribution.visitor_from_cookie(request) or ""
    SignUp.objects.get_or_create(
        member=user,
        defaults={
            "created_at": now,
            "network_hash": network,
            "ua_hash": attribution.ua_hash(request),
            "browser": browser,
        },
    )
    visit = _earliest_valid_visit(browser=browser, user=user, now=now)
    invite = None if visit is not None else _earliest_valid_invite(user=user, now=now)
    if visit is not None:
        link = visit.link
    elif invite is not None:
        link = invite.link
    else:
        return None
    referrer = link.owner
    reasons, details = fraud.signup_signals_with_details(
        referrer=referrer, referee=user, network=network, browser=browser, now=now
    )
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                referrer=referrer,
                referee=user,
                link=link,
                visit=visit,
                invite=invite,
                created_at=now,
                status=Status.HELD if reasons else Status.COUNTING,
                hold_reasons=reasons,
                hold_details=details,
                held_at=now if reasons else None,
            )
    except IntegrityError:
        return Referral.objects.filter(referee=user).first()
    ReferralEvent.objects.create(referral=referral, stage=Stage.SIGNED_UP, created_at=now)
    if reasons:
        log(instance=referral, action="hearth.referrals.hold", data={"reasons": reasons})
    notify(
        recipient=referrer,
        kind="referral_signed_up",
        text=f"{user.name} signed up through your link. Welcome them when they arrive!",
        url=my_referrals_url(),
    )
    return referral


# --- Stages ------------------------------------------------------------------------------


def _lock(referral: Referral | int) -> Referral:
    pk = referral if isinstance(referral, int) else referral.pk
    return Referral.objects.select_for_update().select_related("referrer", "referee").get(pk=pk)


def _record_event(referral: Referral, stage: Stage, now: datetime, detail=None) -> bool:
    try:
        with transaction.atomic():
            ReferralEvent.objects.create(
                referral=referral, stage=stage, created_at=now, detail=detail or {}
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic
def mark_joined(*, member: User) -> bool:
    """The referee confirmed their email address: the referral reaches "joined"."""
    referral = Referral.objects.filter(referee=member).first()
    if referral is None:
        return False
    referral = _lock(referral)
    if referral.stage >= Stage.JOINED or not _record_event(referral, Stage.JOINED, timezone.now()):
        return False
    referral.stage = Stage.JOINED
    referral.joined_at = timezone.now()
    referral.save(update_fields=["stage", "joined_at"])
    # The content they came through brought them: its author's warm action and points.
    recruiting.credit_content_author(referral=referral, when=referral.joined_at)
    if referral.status in (Status.COUNTING, Status.HELD):
        notify(
            recipient=referral.referrer,
            kind="referral_joined",
            text=f"{member.name} confirmed their email and joined through your link.",
            url=my_referrals_url(),
        )
    return True


@transaction.atomic
def promote_active_referrals(*, now: datetime | None = None) -> int:
    """Referrals whose first contribution has stayed visible 24 hours become "active".

    Run by ``manage.py promote_active_referrals`` every few minutes; running it again
    changes nothing (one event per stage).
    """
    now = now or timezone.now()
    referral_ids = (
        ActivityCandidate.objects.filter(
            removed_at__isnull=True,
            published_at__lte=now - ACTIVE_AFTER,
            referral__stage=Stage.JOINED,
            referral__status__in=[Status.COUNTING, Status.HELD],
        )
        .values_list("referral_id", flat=True)
        .distinct()
    )
    promoted = 0
    for referral_id in list(referral_ids):
        if _promote(referral_id, now=now):
            promoted += 1
    return promoted


def _promote(referral_id: int, *, now: datetime) -> bool:
    with transaction.atomic():
        referral = _lock(referral_id)
        if referral.stage != Stage.JOINED or referral.status not in (
            Status.COUNTING,
            Status.HELD,
        ):
            return False
        candidate = (
            referral.activity_candidates.filter(
                removed_at__isnull=True, published_at__lte=now - ACTIVE_AFTER
            )
            .order_by("published_at", "id")
            .first()
        )
        if candidate is None:
            return False
        detail = {"object": candidate.object_key, "kind": candidate.kind}
        if not _record_event(referral, Stage.ACTIVE, now, detail):
            return False
        referral.stage = Stage.ACTIVE
        referral.active_at = now
        referral.save(update_fields=["stage", "active_at"])
        # A guide published while the referral was only joined converts it now.
        guide = (
            referral.activity_candidates.filter(kind="guide", removed_at__isnull=True)
            .order_by("published_at", "id")
            .first()
        )
        if guide is not None:
            convert_referral(
                referral=referral, via=ConversionVia.GUIDE, object_key=guide.object_key, now=now
            )
        return True


# The stage a referral must have reached before each kind of conversion.
_CONVERTS_FROM: dict[str, Stage] = {ConversionVia.PURCHASE.value: Stage.JOINED}


@transaction.atomic
def convert_referral(
    *,
    referral: Referral,
    via: str,
    object_key: str = "",
    container_key: str = "",
    detail: dict | None = None,
    now: datetime | None = None,
) -> bool:
    """The referee did the qualifying thing: the referral reaches "converted" (once).

    Only from "active" (their first contribution stayed up a day), except a purchase,
    which needs "joined" (a confirmed email address): no conversion skips a stage. A
    counting referral is credited at once (points, leaderboard, badges); a burst of
    conversions holds it for review instead.
    """
    now = now or timezone.now()
    referral = _lock(referral)
    if referral.status not in (Status.COUNTING, Status.HELD):
        return False
    if referral.stage >= Stage.CONVERTED:
        return False
    if referral.stage < _CONVERTS_FROM.get(via, Stage.ACTIVE):
        return False
    event_detail = {"via": via, "object": object_key, **(detail or {})}
    if not _record_event(referral, Stage.CONVERTED, now, event_detail):
        return False
    referral.stage = Stage.CONVERTED
    referral.converted_at = now
    referral.converted_via = via
    referral.converting_object = object_key[:100]
    referral.converting_container = container_key[:100]
    referral.save(
        update_fields=[
            "stage",
            "converted_at",
            "converted_via",
            "converting_object",
            "converting_container",
        ]
    )
    if referral.status == Status.COUNTING and fraud.is_conversion_burst(referral, now=now):
        _hold(referral, [HoldReason.BURST.value], now=now)
    if referral.status == Status.COUNTING:
        _credit(referral, now=now)
    return True


def _reason_for(member: User, text: str, **params) -> str:
    """A ledger line's words in ``member``'s language: the ledger keeps text, so it is
    translated when written."""
    with for_member(member):
        return gettext(text) % params


def _action_reason(member: User, action: str) -> str:
    with for_member(member):
        return str(PointsRule.Action(action).label).capitalize()


def _hold(referral: Referral, reasons: list[str], *, now: datetime) -> None:
    referral.status = Status.HELD
    referral.hold_reasons = sorted({*referral.hold_reasons, *reasons})
    referral.held_at = now
    referral.save(update_fields=["status", "hold_reasons", "held_at"])
    log(instance=referral, action="hearth.referrals.hold", data={"reasons": reasons})
    with for_member(referral.referrer):
        text = _("Your referral of %(name)s is held for a quick check by a moderator.") % {
            "name": referral.referee.name
        }
    notify(
        recipient=referral.referrer,
        kind="referral_held",
        text=text,
        url=my_referrals_url(),
    )


def _bump_score(member_id: int, period: str, delta: int, now: datetime) -> int:
    score, _ = ReferralScore.objects.get_or_create(member_id=member_id, period=period)
    ReferralScore.objects.filter(pk=score.pk).update(
        converted=F("converted") + delta, updated_at=now
    )
    leaderboard.scores_changed()
    return ReferralScore.objects.values_list("converted", flat=True).get(pk=score.pk)


def _ledger_key(referral: Referral) -> str:
    return f"referral:{referral.pk}:converted"


def _credit(referral: Referral, *, now: datetime) -> None:
    """Points, leaderboard, badges and the 10-a-month beep for a counting conversion."""
    if not Referral.objects.filter(pk=referral.pk, credited_at__isnull=True).update(
        credited_at=now
    ):
        return  # credited before
    referral.credited_at = now
    action = (
        PointsRule.Action.REFERRAL_PURCHASE
        if referral.converted_via == ConversionVia.PURCHASE
        else PointsRule.Action.REFERRAL_CONVERTED
    )
    entry = points.reward(
        member=referral.referrer,
        action=action,
        key=str(referral.pk),
        idempotency_key=_ledger_key(referral),
        reason=_reason_for(
            referral.referrer,
            gettext_noop("%(name)s took part for real (referral)"),
            name=referral.referee.name,
        ),
        referral=referral,
        when=now,
    )
    month = month_of(referral.converted_at or now)
    monthly = _bump_score(referral.referrer_id, month.key, +1, now)
    total = _bump_score(referral.referrer_id, ALL_TIME, +1, now)
    with for_member(referral.referrer):
        if entry is not None:
            text = ngettext(
                "Your referral of %(name)s converted (+%(n)d point). Thank you!",
                "Your referral of %(name)s converted (+%(n)d points). Thank you!",
                entry.amount,
            ) % {"name": referral.referee.name, "n": entry.amount}
        else:
            text = _("Your referral of %(name)s converted. Thank you!") % {
                "name": referral.referee.name
            }
    notify(
        recipient=referral.referrer,
        kind="referral_converted",
        text=text,
        url=my_referrals_url(),
    )
    _award_badges(referral.referrer, total, now=now)
    if monthly >= MONTHLY_BEEP_AT:
        _beep(referral.referrer, month, monthly, now=now)


def _award_badges(member: User, total: int, *, now: datetime) -> None:
    # The catalogue grants once (a unique row) and tells the member, as for every badge.
    for threshold, key, _name, _text in BADGES:
        if total < threshold:
            break
        badges.grant(member=member, badge=badges.BY_KEY[key], now=now)


def editors() -> list[User]:
    """Editors in good standing: who hears about milestones and awards."""
    return list(User.objects.in_good_standing().in_group(EDITORS_GROUP).distinct())


def _beep(member: User, month: Month, count: int, *, now: datetime) -> None:
    """Ten conversions in one month: tell the member and every editor, open a thank-you."""
    try:
        with transaction.atomic():
            task = ThankYouTask.objects.create(
                member=member, kind=ThankYouTask.Kind.MILESTONE, period=month.key, created_at=now
            )
    except IntegrityError:
        return  # beeped before this month
    with for_member(member):
        text = ngettext(
            "%(n)d friend you invited took part for real in %(month)s. "
            "The whole team has been told. Thank you!",
            "%(n)d friends you invited took part for real in %(month)s. "
            "The whole team has been told. Thank you!",
            count,
        ) % {"n": count, "month": month.label}
    notify(recipient=member, kind="referral_milestone", text=text, url=my_referrals_url())
    admin_url = reverse("referrals_admin:thank_you", args=[task.pk])
    for editor in editors():
        with for_member(editor):
            text = ngettext(
                "%(name)s reached %(n)d converted referral in %(month)s. Write them a thank-you.",
                "%(name)s reached %(n)d converted referrals in %(month)s. Write them a thank-you.",
                count,
            ) % {"name": member.name, "n": count, "month": month.label}
        notify(
            recipient=editor,
            kind="referral_milestone_staff",
            text=text,
            url=admin_url,
            actor=member,
        )


def _uncredit(referral: Referral, *, reason: str, now: datetime) -> None:
    if not Referral.objects.filter(pk=referral.pk, credited_at__isnull=False).update(
        credited_at=None
    ):
        return
    referral.credited_at = None
    points.reverse_key(key=_ledger_key(referral), reason=reason)
    month = month_of(referral.converted_at or now)
    _bump_score(referral.referrer_id, month.key, -1, now)
    total = _bump_score(referral.referrer_id, ALL_TIME, -1, now)
    above = [key for threshold, key, _name, _text in BADGES if threshold > total]
    MemberBadge.objects.filter(member_id=referral.referrer_id, badge__in=above).delete()


# --- Decisions: review, revocation -----------------------------------------------------


def _check_may_review(moderator: User) -> None:
    if not moderator.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied("Only moderators can approve or reject held referrals.")


def _check_still_held(referral: Referral) -> None:
    if referral.status != Status.HELD:
        raise ReferralError(_("This referral is no longer waiting for review."), code="not_held")


def _review_held(
    referral: Referral,
    *,
    moderator: User,
    note: str,
    status: Status,
    action: str,
    kind: str,
    verdict: str,
    now: datetime,
) -> Referral:
    """A moderator's decision on a held referral: locked and checked still held, recorded,
    logged as ``action``, and the referrer told ``verdict`` in a ``kind`` notification."""
    referral = _lock(referral)
    _check_still_held(referral)
    referral.status = status
    referral.reviewed_by = moderator
    referral.reviewed_at = now
    referral.review_note = note.strip()[:500]
    referral.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    log(
        instance=referral,
        action=action,
        user=moderator,
        data={"note": referral.review_note, "reasons": referral.hold_reasons},
    )
    with for_member(referral.referrer):
        if status == Status.COUNTING:
            text = _("A moderator checked your referral of %(name)s: it counts.")
        else:
            text = _("A moderator checked your referral of %(name)s: it does not count.")
        text %= {"name": referral.referee.name}
    notify(
        recipient=referral.referrer,
        kind=kind,
        text=text,
        url=my_referrals_url(),
        actor=moderator,
    )
    return referral


@transaction.atomic
def approve_referral(*, referral: Referral, moderator: User, note: str = "") -> Referral:
    _check_may_review(moderator)
    now = timezone.now()
    referral = _review_held(
        referral,
        moderator=moderator,
        note=note,
        status=Status.COUNTING,
        action="hearth.referrals.approve",
        kind="referral_approved",
        verdict="it counts",
        now=now,
    )
    if referral.stage == Stage.CONVERTED:
        _credit(referral, now=now)
    return referral


@transaction.atomic
def reject_referral(*, referral: Referral, moderator: User, note: str) -> Referral:
    _check_may_review(moderator)
    if not (note or "").strip():
        raise ReferralError(
            _("Write a short note saying why; the member who made the referral will read it."),
            code="invalid",
        )
    return _review_held(
        referral,
        moderator=moderator,
        note=note,
        status=Status.REJECTED,
        action="hearth.referrals.reject",
        kind="referral_rejected",
        verdict="it does not count",
        now=timezone.now(),
    )


def decide_referral(*, referral: Referral, moderator: User, decision: str, note: str) -> Referral:
    """``decision`` "approve" or "reject": one door for every screen that decides."""
    if decision == "approve":
        return approve_referral(referral=referral, moderator=moderator, note=note)
    if decision == "reject":
        return reject_referral(referral=referral, moderator=moderator, note=note)
    raise ReferralError(_("Held referrals can be approved or rejected."), code="invalid")


@transaction.atomic
def revoke_referral(*, referral: Referral, reason: str) -> bool:
    """Take the credit back (referee suspended, qualifying content removed) with a
    reversing ledger row. Revocation is final."""
    referral = _lock(referral)
    if referral.status not in (Status.COUNTING, Status.HELD):
        return False
    now = timezone.now()
    with for_member(referral.referrer):
        label = str(RevokeReason(reason).label)
        ledger_reason = _("Referral of %(name)s revoked: %(reason)s") % {
            "name": referral.referee.name,
            "reason": label,
        }
        text = _("Your referral of %(name)s no longer counts: %(reason)s.") % {
            "name": referral.referee.name,
            "reason": label,
        }
    _uncredit(referral, reason=ledger_reason, now=now)
    referral.status = Status.REVOKED
    referral.revoke_reason = reason
    referral.revoked_at = now
    referral.save(update_fields=["status", "revoke_reason", "revoked_at"])
    log(instance=referral, action="hearth.referrals.revoke", data={"reason": reason})
    notify(
        recipient=referral.referrer,
        kind="referral_revoked",
        text=text,
        url=my_referrals_url(),
    )
    return True


# --- What the rest of the site tells us (community.signals) ----------------------------


def _key_or_blank(obj: Model | None) -> str:
    return object_key(obj) if obj is not None else ""


@transaction.atomic
def note_content_published(
    *, author: User, obj: Model, kind: str, container: Model | None = None, place: str = ""
) -> None:
    """New content: engagement points, an activity candidate for the author's referral,
    and a conversion when it is a guide. ``container`` holds ``obj`` (a post's topic);
    ``place`` names where it appeared (for challenges that count one place)."""
    key = object_key(obj)
    action = ENGAGEMENT_ACTIONS.get(kind)
    if action is not None:
        engagement.record(
            member=author,
            action=action,
            key=key,
            reason=_action_reason(author, action),
            place=place,
        )
    referral = Referral.objects.filter(referee=author).first()
    if referral is None or referral.status not in (Status.COUNTING, Status.HELD):
        return
    if kind in ACTIVITY_KINDS and referral.stage < Stage.ACTIVE:
        open_candidates = referral.activity_candidates.filter(removed_at__isnull=True).count()
        if open_candidates < MAX_OPEN_CANDIDATES:
            ActivityCandidate.objects.bulk_create(
                [
                    ActivityCandidate(
                        referral=referral,
                        object_key=key,
                        container_key=_key_or_blank(container),
                        kind=kind,
                    )
                ],
                ignore_conflicts=True,
            )
    if kind == "guide":
        convert_referral(referral=referral, via=ConversionVia.GUIDE, object_key=key)


@transaction.atomic
def note_content_removed(*, author: User | None, obj: Model, kind: str) -> None:
    """Hidden or deleted: it no longer counts as activity, its points go back, and a
    conversion it qualified (itself, or a post in a topic that was removed) is revoked."""
    key = object_key(obj)
    now = timezone.now()
    ActivityCandidate.objects.filter(
        Q(object_key=key) | Q(container_key=key), removed_at__isnull=True
    ).update(removed_at=now)
    action = ENGAGEMENT_ACTIONS.get(kind)
    if action is not None:
        engagement.revoke(action=action, key=key, reason=_("The contribution was removed"))
    qualified = Q(converting_container=key)
    if author is not None:
        qualified |= Q(referee=author, converting_object=key)
    for referral in Referral.objects.filter(qualified, status__in=[Status.COUNTING, Status.HELD]):
        revoke_referral(referral=referral, reason=RevokeReason.CONTENT_REMOVED)


@transaction.atomic
def note_reaction(
    *,
    obj: Model,
    author: User | None,
    reactor: User,
    container: Model | None = None,
    converts: bool = False,
) -> None:
    """A reaction from someone else: a point for the author and, when the sender says
    such a reaction ``converts``, the conversion of the author's referral. Both only when
    the reactor counts (``fraud.reaction_counts``: good standing, trust, no shared
    network or browser, not the author's own referral, invitee or referrer)."""
    if author is None or reactor.pk == author.pk:
        return
    referral = Referral.objects.filter(referee=author).first()
    if not fraud.reaction_counts(reactor=reactor, author=author, referral=referral):
        return
    key = object_key(obj)
    engagement.record(
        member=author,
        action=PointsRule.Action.REACTION_RECEIVED,
        key=f"{key}:{reactor.pk}",
        reason=f"{reactor.name} reacted to your contribution",
        actor=reactor,
    )
    if not converts or referral is None:
        return
    convert_referral(
        referral=referral,
        via=ConversionVia.REACTION,
        object_key=key,
        container_key=_key_or_blank(container),
        detail={"reactor": reactor.pk},
    )


@transaction.atomic
def note_member_suspended(*, member: User) -> None:
    referral = Referral.objects.filter(referee=member).first()
    if referral is not None:
        revoke_referral(referral=referral, reason=RevokeReason.SUSPENDED)
