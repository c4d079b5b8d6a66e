from __future__ import annotations

from django import template

from community.chat.text import body_html

register = template.Library()


@register.filter(name="chat_text")
def chat_text(body: str):
    return body_html(body)
