from __future__ import annotations

from django import template

from community.chat.text import linkify

register = template.Library()


@register.filter(name="chat_text")
def chat_text(body: str):
    return linkify(body or "")
