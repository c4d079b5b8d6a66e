from __future__ import annotations

from django import template

from community.chat.actions import mute_scope
from community.chat.text import body_html
from community.moderation.templatetags.moderation_tags import standing_notice_html

register = template.Library()


@register.filter(name="chat_text")
def chat_text(body: str, author=None):
    """``{{ message.body|chat_text:message.author }}``: the author's trust decides links."""
    return body_html(body, author=author)


@register.simple_tag
def room_standing_notice(user, room, refusal: str = "") -> str:
    """Why the member cannot write here (the penalty's notice, with its Appeal link), in
    place of the chat input; chat.js swaps in the same markup live (a ``standing`` frame)."""
    return standing_notice_html(user, scope=mute_scope(room), refusal=refusal)
