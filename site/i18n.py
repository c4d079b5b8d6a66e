"""Languages and time zones: which ones a member reads in, for their requests and for what
is sent to them outside a request (emails, digests). See docs/i18n.md."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import django
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from hearth.catalogs import LOCALE_DIR


def language_name(code: str) -> str:
    """A language in its own words, as Django knows it ("English", "eesti", "Українська"),
    or the code itself for one Django does not know."""
    try:
        return translation.get_language_info(code.lower().split("-")[0])["name_local"]
    except KeyError:
        return code


def offered(language: str) -> bool:
    return language in {code for code, _name in settings.LANGUAGES}


def member_language(member) -> str:
    """The member's chosen language when Hearth offers it, else the site's default."""
    chosen = getattr(member, "language", "") or ""
    return chosen if offered(chosen) else settings.LANGUAGE_CODE


def member_time_zone(member) -> zoneinfo.ZoneInfo | None:
    """The member's own time zone, or None for the site's."""
    name = getattr(member, "time_zone", "") or ""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@contextmanager
def for_member(member) -> Iterator[str]:
    """Render what goes to `member` (an email, a notification) in their language and time
    zone."""
    language = member_language(member)
    zone = member_time_zone(member)
    with translation.override(language), timezone.override(zone or settings.TIME_ZONE):
        yield language


def validate_time_zone(value: str) -> None:
    """An IANA time zone name this machine knows ("Europe/Tallinn")."""
    if not value:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            gettext_lazy("“%(value)s” is not a time zone we know, such as Europe/Tallinn."),
            code="invalid_time_zone",
            params={"value": value},
        ) from None


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone by name, for the profile form (blank: the site's)."""
    return sorted((name, name.replace("_", " ")) for name in zoneinfo.available_timezones())


def format_money(amount: Decimal | int | float | str, currency: str = "EUR") -> str:
    """An amount of money as the active language writes it: "€1,234.50" in English,
    "1 234,50 €" in Estonian."""
    from babel.numbers import format_currency

    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    return format_currency(Decimal(str(amount)), currency, locale=locale)


_javascript_catalog_version: str | None = None


def javascript_catalog_version() -> str:
    """Changes with every deploy that changes the JavaScript catalogs (the compiled
    djangojs.mo files, the offered languages, Django's own catalogs with its version)."""
    global _javascript_catalog_version
    if _javascript_catalog_version is None:
        digest = hashlib.sha256(repr((django.__version__, settings.LANGUAGES)).encode())
        for path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/djangojs.mo")):
            digest.update(path.read_bytes())
        _javascript_catalog_version = digest.hexdigest()[:12]
    return _javascript_catalog_version


_catalogs_version: str | None = None


def catalogs_version() -> str:
    """Changes with every deploy that changes what any page's words are translated with
    (the compiled catalogs, the offered languages, Django's own catalogs)."""
    global _catalogs_version
    if _catalogs_version is None:
        digest = hashlib.sha256(repr((django.__version__, settings.LANGUAGES)).encode())
        for path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.mo")):
            digest.update(path.read_bytes())
        _catalogs_version = digest.hexdigest()[:12]
    return _catalogs_version


def reader_locale() -> str:
    """The active language and time zone, and the catalogs' version: part of the key of
    anything rendered and kept (pages, fragments), so a reader never gets words kept in
    another language, another time zone's times, or a translation a deploy replaced."""
    return (
        f"{translation.get_language()}:{timezone.get_current_timezone_name()}:{catalogs_version()}"
    )
