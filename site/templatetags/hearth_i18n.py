"""Languages in templates: the JavaScript catalog's address, the footer's language picker
and money in the reader's language (``{{ amount|money }}``, ``{{ amount|money:"USD" }}``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from hearth.i18n import format_money, javascript_catalog_version, language_name

register = template.Library()


@register.simple_tag
def javascript_catalog_url() -> str:
    """The versioned address of the JavaScript catalog, kept by browsers for a year; the
    language is part of the address so a change of language fetches the right one."""
    return f"{reverse('javascript-catalog')}?l={get_language()}&v={javascript_catalog_version()}"


@register.inclusion_tag("_language_picker.html", takes_context=True)
def language_picker(context: template.Context) -> dict:
    """The footer's picker: nothing while only one language is offered."""
    request = context.get("request")
    user = context.get("user")
    current = get_language()
    languages = [
        {
            "code": code,
            # "English", "eesti", "Українська": each in its own words.
            "name": language_name(code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {
        "languages": languages if len(languages) > 1 else [],
        "next": request.get_full_path() if request is not None else "/",
        "member": bool(user is not None and user.is_authenticated),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def money(amount: Decimal | int | float | str | None, currency: str = "EUR") -> str:
    """``1234.5|money`` → "€1,234.50" in English, "1 234,50 €" in Estonian."""
    if amount is None or amount == "":
        return ""
    try:
        return format_money(Decimal(str(amount)), currency or "EUR")
    except (InvalidOperation, ValueError, LookupError):
        return str(amount)
