"""A note to translators must end its line in a template.

Django's message extraction (``makemessages``, through ``templatize``) turns a
``{% comment %}Translators: …{% endcomment %}`` into a Python comment that runs to the end
of the line: a ``{% translate %}`` or ``{% blocktranslate %}`` after it on the same line is
swallowed by the comment, never reaches the catalogs and stays English in every language
(the phone menu's button read "Menu" in Estonian and Ukrainian). The note goes on the
line before the string it is about."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path
    for folder in [*ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
    for path in folder.rglob("*")
    if path.suffix in (".html", ".txt") and path.is_file()
)
SWALLOWED = re.compile(r"#\s*Translators\b.*?\b(?:n?p?gettext|ngettext)\(u?'(?P<msgid>[^']*)")


def swallowed_strings(source: str, origin: str = "template.html") -> list[tuple[int, str]]:
    """(line, msgid) of each marked string extraction would drop behind a note."""
    found = []
    for number, line in enumerate(templatize(source, origin=origin).splitlines(), start=1):
        found.extend((number, m.group("msgid")) for m in SWALLOWED.finditer(line))
    return found


def test_a_string_after_a_translators_note_on_its_line_is_found():
    source = (
        "{% load i18n %}\n"
        "{% comment %}Translators: a button.{% endcomment %}{% translate 'Menu' %}\n"
    )
    assert swallowed_strings(source) == [(2, "Menu")]


def test_a_note_on_the_line_before_its_string_is_fine():
    source = (
        "{% load i18n %}\n"
        "{% comment %}Translators: a button.{% endcomment %}\n"
        "{% translate 'Menu' %}\n"
    )
    assert swallowed_strings(source) == []


def test_no_template_hides_a_string_from_the_catalogs_behind_a_translators_note():
    problems = []
    for path in TEMPLATES:
        source = path.read_text()
        if "Translators" not in source:
            continue
        problems.extend(
            f"{path.relative_to(ROOT)}:{line}: {msgid!r}"
            for line, msgid in swallowed_strings(source, origin=str(path))
        )
    assert not problems, (
        "These strings never reach the catalogs (a Translators note before them on the same "
        "line); put the note on the line before:\n" + "\n".join(problems)
    )
