"""``{{ value|when }}``: the one way a time reads on the site.

Recent moments read as "just now", "5 minutes ago", "3 hours ago" (and "in 2 hours"
for a moment ahead), days as "today" and "yesterday"; older ones in the site's language
and time zone, as the chat's live messages do: "29 Nov, 22:36" this year, "29 Nov 2025"
before. The element is a ``<time datetime="…">`` whose title gives the full date.

Styles: ``|when`` (relative when recent), ``|when:"exact"`` (always the date and time,
for sentences like "until …" and moderators' records), ``|when:"date"`` (the day only),
``|when:"relative"`` (always relative: "in 3 days", "2 days ago").
``|when_text`` is the same words without the element, for attributes and SVG titles.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

register = template.Library()

STYLES = ("", "exact", "date", "relative")
RECENT = timedelta(hours=24)


# English keeps the site's own ways ("29 Nov", "29 November 2026"); other languages write
# dates as their locale does (Django's formats: "29. november 2026" in Estonian).
ENGLISH_PATTERNS = {
    "day": "j M",
    "day_year": "j M Y",
    "day_time": "j M, H:i",
    "day_year_time": "j M Y, H:i",
    "full_date": "j F Y",
    "full_date_time": "j F Y, H:i",
}


def _pattern(kind: str) -> str:
    if (translation.get_language() or "en").startswith("en"):
        return ENGLISH_PATTERNS[kind]
    day_year, time = get_format("DATE_FORMAT"), get_format("TIME_FORMAT")
    day = get_format("MONTH_DAY_FORMAT")
    return {
        "day": day,
        "day_year": day_year,
        "day_time": f"{day}, {time}",
        "day_year_time": f"{day_year}, {time}",
        "full_date": day_year,
        "full_date_time": f"{day_year}, {time}",
    }[kind]


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _relative(value: datetime, now: datetime, *, always: bool = False) -> str | None:
    delta = now - value
    ahead = delta < timedelta(0)
    delta = abs(delta)
    if delta >= RECENT:
        if not always:
            return None
        n = max(delta.days, 1)
        if ahead:
            return ngettext("in %(n)d day", "in %(n)d days", n) % {"n": n}
        return ngettext("%(n)d day ago", "%(n)d days ago", n) % {"n": n}
    if delta < timedelta(minutes=1):
        return gettext("in a moment") if ahead else gettext("just now")
    if delta < timedelta(hours=1):
        n = int(delta.total_seconds() // 60)
        if n == 1:
            return gettext("in a minute") if ahead else gettext("a minute ago")
        if ahead:
            return ngettext("in %(n)d minute", "in %(n)d minutes", n) % {"n": n}
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", n) % {"n": n}
    n = int(delta.total_seconds() // 3600)
    if n == 1:
        return gettext("in an hour") if ahead else gettext("an hour ago")
    if ahead:
        return ngettext("in %(n)d hour", "in %(n)d hours", n) % {"n": n}
    return ngettext("%(n)d hour ago", "%(n)d hours ago", n) % {"n": n}


def _day(value: date, now: datetime, style: str) -> str:
    if style == "":
        if value == now.date():
            return gettext("today")
        if value == now.date() - timedelta(days=1):
            return gettext("yesterday")
    return date_format(value, _pattern("day" if value.year == now.year else "day_year"))


def describe(value: date | datetime, style: str = "", *, now: datetime | None = None) -> str:
    """The words for ``value``: see the module's docstring."""
    now = _local(now or timezone.now())
    if not isinstance(value, datetime):
        return _day(value, now, style)
    local = _local(value)
    if style in ("", "relative"):
        words = _relative(value, now, always=style == "relative")
        if words is not None:
            return words
    if style == "date":
        return date_format(local, _pattern("day" if local.year == now.year else "day_year"))
    if local.year == now.year:
        return date_format(local, _pattern("day_time"))
    return date_format(local, _pattern("day_year_time" if style == "exact" else "day_year"))


def _full(value: date | datetime) -> tuple[str, str]:
    """(machine-readable, full) forms of ``value``: the element's datetime and title."""
    if not isinstance(value, datetime):
        return value.isoformat(), date_format(value, _pattern("full_date"))
    local = _local(value)
    return local.isoformat(), date_format(local, _pattern("full_date_time"))


@register.filter(is_safe=True)
def when(value: date | datetime | None, style: str = "") -> SafeString | str:
    if not isinstance(value, date):
        return ""
    if style not in STYLES:
        style = ""
    machine, full = _full(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', machine, full, describe(value, style)
    )


@register.filter
def when_text(value: date | datetime | None, style: str = "") -> str:
    if not isinstance(value, date):
        return ""
    return describe(value, style if style in STYLES else "")
