"""``{% top_badge post.author_id as badge %}``: a member's top badge on a list page.

The first post of a page asks for every author on it at once (``context["posts"]``), so
a page of twenty posts costs one query, not twenty (``community.badges``).
"""

from __future__ import annotations

from typing import Any

from django import template

from community.badges import top_badge_for_page

register = template.Library()


@register.simple_tag(takes_context=True)
def top_badge(context: template.Context, member_id: int | None) -> Any:
    return top_badge_for_page(context.get("request"), member_id, context.get("posts") or ())
