"""The language of what members write, in templates (hearth.content_language):
``{% language_label topic.language %}`` shows "Eesti" (with ``lang="et"``) when the
content is in another language than the reader's, nothing otherwise; ``{{ code|language_name }}``
says a language in its own words."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html

from hearth import content_language

register = template.Library()


@register.simple_tag
def language_label(code: str) -> str:
    """A small label naming the content's language, only where it differs from the
    reader's interface language."""
    if not code or not content_language.differs(code):
        return ""
    return render_to_string(
        "_language_label.html", {"code": code, "name": content_language.name(code)}
    )


@register.filter
def language_name(code: str) -> str:
    return content_language.name(code) if code else ""


@register.simple_tag
def content_languages() -> list[tuple[str, str]]:
    """The offered languages, each in its own words (for a filter's options)."""
    return content_language.choices()


@register.simple_tag
def lang_attribute(code: str) -> str:
    """` lang="et"` where the content's language is not the page's (the reader's), for an
    element whose words are the member's (a title): nothing where it is the same."""
    if not code or not content_language.differs(code):
        return ""
    return format_html(' lang="{}"', code)
