"""The penalty banner (every page) and the notice that stands in for a form."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from community.moderation.models import Appeal, Penalty

register = template.Library()


def active_penalties(user: Any, *, scope: str | None = None) -> list[Penalty]:
    """The member's running penalties (all, or the ones that apply in ``scope``), each
    with ``appeal_sent`` set."""
    if user is None or not user.is_authenticated:
        return []
    # A hidden post is about one post, not the member's standing: never a banner or a
    # notice in place of a form (its bell and email carry the Appeal link).
    qs = (
        Penalty.objects.active()
        .filter(member=user)
        .exclude(kind=Penalty.Kind.HIDDEN_POST)
        .select_related("canned_reason")
    )
    if scope is not None:
        qs = qs.applying_to(scope)
    penalties = list(qs)
    appealed = set(
        Appeal.objects.filter(penalty__in=penalties).values_list("penalty_id", flat=True)
    )
    for penalty in penalties:
        penalty.appeal_sent = penalty.pk in appealed
    return penalties


def blocking_penalty(user: Any, *, scope: str = "") -> Penalty | None:
    """The penalty that stops the member here: a suspension, else a silence, else the
    mute of this scope."""
    order: dict[str, int] = {
        Penalty.Kind.SUSPEND: 0,
        Penalty.Kind.SILENCE: 1,
        Penalty.Kind.CHAT_MUTE: 2,
    }
    penalties = sorted(active_penalties(user, scope=scope), key=lambda p: order[p.kind])
    return penalties[0] if penalties else None


@register.inclusion_tag("moderation/_banner.html", takes_context=True)
def penalty_banner(context: template.Context) -> dict:
    """Site-wide penalties (silence, suspension) on every page while they last.

    Gated on the member's own fields, so a page costs no extra query for the members who
    have none. A chat mute is for one room: its notice stands in that room's input
    (live), and the bell and the email carry its Appeal link.
    """
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated or not (user.is_silenced or user.is_suspended):
        return {"penalties": []}
    return {"penalties": active_penalties(user, scope="")}


@register.inclusion_tag("moderation/_standing_notice.html")
def penalty_notice(user: Any, scope: str = "", refusal: str = "") -> dict:
    """The notice instead of a form: the penalty that blocks, else the plain refusal."""
    return {"penalty": blocking_penalty(user, scope=scope), "refusal": refusal}


def standing_notice_html(user: Any, *, scope: str = "", refusal: str = "") -> str:
    """The same notice as :func:`penalty_notice`, as HTML: the chat sends it live when a
    member is muted or silenced while their room page is open."""
    return render_to_string(
        "moderation/_standing_notice.html", penalty_notice(user, scope, refusal)
    )
