"""``{% render_slot "content" content=topic %}``: a slot of ``hearth.sections`` filled in a
template, for pages whose view does not gather sections itself.

The "content" slot sits on a guide, a blog post and a forum topic (``content=`` the page
or topic); apps fill it without the page knowing them (the referral hub shows the author
how many members it brought). Each section's template is included as the profile's are,
with its context as ``section``.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from hearth.sections import render_sections

register = template.Library()


@register.simple_tag(takes_context=True)
def render_slot(context: template.Context, slot: str, **kwargs) -> SafeString:
    request = context.get("request")
    if request is None:
        return mark_safe("")
    engine = context.template.engine if context.template is not None else None
    if engine is None:
        return mark_safe("")
    parts = []
    for template_name, section in render_sections(slot, request, **kwargs):
        with context.push(section=section):
            parts.append(engine.get_template(template_name).render(context))
    return mark_safe("".join(parts))  # each part is a rendered (autoescaped) template
