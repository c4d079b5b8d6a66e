"""``{% shared_fragment "name" %}…{% endshared_fragment %}``: a part of a page that is the
same for every reader of one kind, rendered once and kept (blog.fragments).

The part is keyed on the page shown (``page`` in the context), the address, the template's
source and blog.fragments' stamp; a preview is always rendered. Only put in what every
reader of the page sees alike: no CSRF token, nothing about the reader but whether they
are signed in.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from blog import fragments

register = template.Library()


class SharedFragmentNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        request = context.get("request")
        if fragments.is_preview(request, context):
            return self.nodelist.render(context)
        origin = context.template.origin.name if context.template is not None else ""
        template_name = getattr(context.template, "name", "") or ""
        version = fragments.template_version(template_name) if template_name else origin
        fragment_key = fragments.key(
            f"{template_name}:{self.name}",
            request,
            version,
            fragments.page_identity(context.get("page")),
        )
        return mark_safe(fragments.kept(fragment_key, lambda: self.nodelist.render(context)))


@register.tag
def shared_fragment(parser: template.base.Parser, token: template.base.Token) -> SharedFragmentNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Use {% shared_fragment "name" %}.')
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(bits[1][1:-1], nodelist)
