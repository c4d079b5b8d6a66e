from __future__ import annotations

from django import template

from community.chat.actions import mute_scope
from community.moderation.templatetags.moderation_tags import standing_notice_html

register = template.Library()


@register.simple_tag
def room_standing_notice(user, room, refusal: str = "") -> str:
    """Why the member cannot write here (the penalty's notice, with its Appeal link), in
    place of the chat input; chat.js swaps in the same markup live (a ``standing`` frame)."""
    return standing_notice_html(user, scope=mute_scope(room), refusal=refusal)
