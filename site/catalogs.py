"""Hearth's translation catalogs (locale/<language>/LC_MESSAGES/django.po, djangojs.po):
which are complete, and compiling them to .mo files in pure Python (babel), so a machine
without GNU gettext can run the site. `make messages` (GNU gettext) updates the .po files.

No Django imports: the settings read this to decide which languages the site offers.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAINS = ("django", "djangojs")

# Every language Hearth is written for, the source language (English) first. A language
# other than English is offered once both its catalogs are complete.
SOURCE_LANGUAGE = ("en-gb", "English")
LANGUAGES = [
    SOURCE_LANGUAGE,
    ("et", "Estonian"),
    ("lv", "Latvian"),
    ("lt", "Lithuanian"),
    ("uk", "Ukrainian"),
]


def locale_name(language: str) -> str:
    """The folder of a language's catalogs: "en-gb" → "en_GB" (Django's to_locale)."""
    lang, _, country = language.partition("-")
    return f"{lang}_{country.upper()}" if country else lang


def catalog_path(language: str, domain: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / locale_name(language) / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, abort_invalid=True)


@dataclass(frozen=True)
class Progress:
    """How far a catalog is: its messages, those without a translation, those fuzzy."""

    total: int
    untranslated: int
    fuzzy: int

    @property
    def complete(self) -> bool:
        return self.untranslated == 0 and self.fuzzy == 0


def progress(catalog: Catalog) -> Progress:
    total = untranslated = fuzzy = 0
    for message in catalog:
        if not message.id:  # the header
            continue
        total += 1
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings):
            untranslated += 1
        elif message.fuzzy:
            fuzzy += 1
    return Progress(total, untranslated, fuzzy)


def is_complete(language: str, locale_dir: Path = LOCALE_DIR) -> bool:
    """Whether both catalogs of `language` exist and every message is translated, none fuzzy."""
    for domain in DOMAINS:
        path = catalog_path(language, domain, locale_dir)
        if not path.is_file():
            return False
        try:
            if not progress(read_catalog(path)).complete:
                return False
        except Exception:  # a catalog that cannot be read is not ready to offer
            return False
    return True


def offered_languages(locale_dir: Path = LOCALE_DIR) -> list[tuple[str, str]]:
    """English, and every other language whose catalogs are complete."""
    return [SOURCE_LANGUAGE] + [
        (code, name) for code, name in LANGUAGES[1:] if is_complete(code, locale_dir)
    ]


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write the .mo file beside every .po file that is newer than its .mo; fuzzy and
    untranslated messages are left out (English shows instead). Returns what was written."""
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalog = read_catalog(po_path)
        if catalog.locale is None:
            # Without a language babel leaves the plural rule out of the .mo, and every
            # language would count like English (one, many).
            catalog.locale = Locale.parse(po_path.parent.parent.name)
        # A file of its own, then renamed over the old one: processes compiling at the same
        # time (test workers, servers starting) never read or write a half-written .mo.
        with tempfile.NamedTemporaryFile(
            "wb", dir=mo_path.parent, prefix=f".{mo_path.name}.", delete=False
        ) as file:
            write_mo(file, catalog, use_fuzzy=False)
        Path(file.name).replace(mo_path)
        written.append(mo_path)
    return written


def fill_english(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """English is the language the strings are written in: its catalogs say each message
    as written (the forms of a plural too), so they are complete by construction."""
    from babel.messages.pofile import write_po

    written = []
    for domain in DOMAINS:
        path = catalog_path(SOURCE_LANGUAGE[0], domain, locale_dir)
        if not path.is_file():
            continue
        catalog = read_catalog(path)
        changed = False
        for message in catalog:
            if not message.id:
                continue
            wanted: str | tuple[str, ...]
            if message.pluralizable:
                wanted = tuple(message.id[min(i, 1)] for i in range(catalog.num_plurals))
            else:
                wanted = str(message.id)
            if message.string != wanted or message.fuzzy:
                message.string = wanted
                message.flags.discard("fuzzy")
                changed = True
        if changed or catalog.fuzzy:
            catalog.fuzzy = False
            with path.open("wb") as file:
                write_po(file, catalog, width=79)
            written.append(path)
    return written


if __name__ == "__main__":
    # python -m hearth.catalogs: compile (make run, make serve); --english: fill English.
    if "--english" in sys.argv[1:]:
        for path in fill_english():
            print(f"filled {path}")
    else:
        for path in compile_catalogs():
            print(f"compiled {path}")
