"""The language members write in: a topic's, a guide's, a category's or a chat room's
(docs/i18n.md, "The language of what members write").

Member content stays in the language it was written in. It carries that language's code
(one of settings.LANGUAGES: "en-gb", "et", "lv", "lt", "uk"), shows it as a small label
where it differs from the reader's own language, and is searched with the text search
configuration of that language where PostgreSQL has one.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.text import capfirst
from django.utils.translation import get_language

from hearth.i18n import language_name

# Most a language code takes ("en-gb").
CODE_MAX = 10

# PostgreSQL's text search configuration for each language Hearth is written in, where
# it has one (a Snowball stemmer and stop words); languages without one use "simple"
# (words lowercased, no stemming, no stop words) rather than an English stemmer that would
# cut Estonian or Ukrainian words wrongly. Which ones exist depends on the server's
# version: text_search_config() checks.
TEXT_SEARCH_CONFIGS = {
    "en": "english",
    "et": "estonian",
    "lv": "latvian",
    "lt": "lithuanian",
    "uk": "ukrainian",
}
FALLBACK_CONFIG = "simple"


def validate_code(value: str) -> None:
    """A language Hearth is written for ("et"), in a model field (the admin's forms)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy

    from hearth.catalogs import LANGUAGES

    codes = [code for code, _name in LANGUAGES]
    if value and value not in codes:
        raise ValidationError(
            gettext_lazy("Use one of these language codes: %(codes)s."),
            code="unknown_language",
            params={"codes": ", ".join(codes)},
        )


def offered_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def valid(code: Any) -> str | None:
    """``code`` when Hearth offers that language ("et", "en-GB" → "en-gb"), else None."""
    if not isinstance(code, str):
        return None
    code = code.strip().lower()[:CODE_MAX]
    return code if code in offered_codes() else None


def _primary(code: str) -> str:
    return (code or "").lower().split("-")[0]


def name(code: str) -> str:
    """The language in its own words, as a label starts: "English", "Eesti", "Українська"."""
    return capfirst(language_name(code))


def choices() -> list[tuple[str, str]]:
    """The offered languages, each in its own words, for a form's select."""
    return [(code, name(code)) for code in offered_codes()]


def current() -> str:
    """The reader's (or writer's) interface language, as one of the offered codes."""
    return valid(get_language()) or valid(_primary(get_language() or "")) or default()


def default() -> str:
    return settings.LANGUAGE_CODE


def differs(code: str, reader: str | None = None) -> bool:
    """Whether content in ``code`` is in another language than the reader's (English
    "en-gb" and "en" are the same language)."""
    if not code:
        return False
    return _primary(code) != _primary(reader if reader is not None else (get_language() or ""))


@functools.cache
def _configs_on_server() -> frozenset[str]:
    if connection.vendor != "postgresql":
        return frozenset()
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config")
        return frozenset(row[0] for row in cursor.fetchall())


def text_search_config(code: str) -> str | None:
    """PostgreSQL's text search configuration for content in ``code``: the language's own
    where the server has it, else "simple". None on other databases (SQLite's full-text
    search is the same for every language)."""
    if connection.vendor != "postgresql":
        return None
    wanted = TEXT_SEARCH_CONFIGS.get(_primary(code))
    return wanted if wanted in _configs_on_server() else FALLBACK_CONFIG


def search_in_language(queryset: Any, query: str, code: str) -> Any:
    """On PostgreSQL, ``queryset`` (an indexed model's rows, already narrowed to content in
    ``code``) matched against ``query`` with that language's text search configuration,
    best first, each with ``_score``. The words come from the search index's plain text
    (Wagtail's database backend keeps the indexed fields' text beside its vectors, which it
    builds with one configuration for every row), so no second copy is kept. Elsewhere:
    the search backend's own ``search()``."""
    config = text_search_config(code)
    if config is None:
        return queryset.search(query)
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = SearchVector("index_entries__title_text", weight="A", config=config) + SearchVector(
        "index_entries__body_text", weight="B", config=config
    )
    wanted = SearchQuery(query, config=config, search_type="websearch")
    return (
        queryset.annotate(_language_vector=vector)
        .filter(_language_vector=wanted)
        .annotate(_score=SearchRank(vector, wanted))
        .order_by("-_score", "-pk")
    )
