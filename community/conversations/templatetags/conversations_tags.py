"""The private-message controls other pages show: the profile's Message and Block
buttons, and the list of blocked members on the profile settings page."""

from __future__ import annotations

from typing import Any

from django import template

from community.models import Block

from .. import actions

register = template.Library()


@register.inclusion_tag("conversations/_profile_actions.html", takes_context=True)
def profile_message_actions(context: dict[str, Any], member: Any) -> dict[str, Any]:
    """Message (when the reader may message them) and Block/Unblock, for signed-in
    members on someone else's profile; nothing, and no query, for visitors."""
    user = context.get("user")
    shown: dict[str, Any] = {"member": member, "csrf_token": context.get("csrf_token")}
    if user is None or not user.is_authenticated or user.pk == member.pk:
        return shown
    blocked = Block.exists_between(blocker_id=user.pk, blocked_id=member.pk)
    return {
        **shown,
        "blocked": blocked,
        "can_block": not member.is_staff_member,
        "can_message": not blocked and actions.may_message(user, member),
    }


@register.inclusion_tag("conversations/_blocked_members.html", takes_context=True)
def blocked_members(context: dict[str, Any]) -> dict[str, Any]:
    user = context["user"]
    blocks = list(Block.objects.filter(blocker=user).select_related("blocked"))
    return {
        "blocks": blocks,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
