"""A page's other languages, in templates (hearth.page_languages):
``{% page_alternates page %}`` in the head (``<link rel="alternate" hreflang="…">`` for
each live translation and the x-default) and ``{% page_translation_links page %}`` near the
title ("Read this in: Eesti · Українська"). A page without a live translation shows
neither."""

from __future__ import annotations

from typing import Any

from django import template

from hearth import page_languages
from hearth.templatetags.content_language import lang_attribute

register = template.Library()


@register.inclusion_tag("hearth/_page_alternates.html", takes_context=True)
def page_alternates(context: template.Context, page: Any) -> dict[str, Any]:
    found = page_languages.translations(page, context.get("request"))
    return {"versions": found, "x_default": page_languages.x_default(found)}


@register.inclusion_tag("hearth/_page_translation_links.html", takes_context=True)
def page_translation_links(context: template.Context, page: Any) -> dict[str, Any]:
    found = page_languages.translations(page, context.get("request"))
    return {"others": [version for version in found if not version.current]}


@register.simple_tag(takes_context=True)
def content_lang(context: template.Context, page: Any) -> str:
    """`` lang="en-gb"`` on a page's own words where they are in another language than
    the interface around them (an English post read with an Estonian interface); nothing
    where they agree."""
    locale = getattr(page, "locale", None)
    return lang_attribute(getattr(locale, "language_code", ""))
