"""Every word a person reads in a template is marked for translation.

The linter reads each template of the directories in ``CHECKED`` and names, as
``file:line``, any visible text, and any text in the attributes people read (``alt``,
``title``, ``aria-label``, ``placeholder``, a button's ``value``), that is not inside
``{% translate %}`` or ``{% blocktranslate %}``. Whitespace, punctuation, numbers,
``{{ variables }}``, entities such as ``&nbsp;``, HTML and template comments, and the
contents of ``<script>`` and ``<style>`` are not words. Email ``.txt`` templates are text
from end to end. A line with ``{# notranslate #}`` is skipped (a code sample, a brand's
own spelling).

A directory joins ``CHECKED`` once its templates pass; until then it waits in
``NOT_YET_CHECKED``. To see what a directory still has to mark:
``.venv/bin/python -m tests.site.test_i18n_marking community/templates``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]

CHECKED = [
    "site/templates",
    "survey/templates",
    "community/templates",
    "community/chat/templates",
    "community/conversations/templates",
    "community/forum/templates",
    "community/inbox/templates",
    "community/moderation/templates",
    "blog/templates",
    "referrals/templates",
    "recognition/templates",
]
# A new app's templates wait here until they pass, then move up: one line.
NOT_YET_CHECKED: list[str] = []

WORD = re.compile(r"[^\W\d_]")  # a letter, in any alphabet
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|\w+);")
TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
ATTRIBUTE = re.compile(r"([\w:-]+)\s*=\s*(\"[^\"]*\"|'[^']*')", re.S)
READ_ATTRIBUTES = frozenset({"alt", "title", "aria-label", "placeholder"})
HIDDEN_ELEMENTS = ("script", "style")
SKIP = "notranslate"
# The page's CSS class, not words: {% block body_class %}home{% endblock %}.
CLASS_BLOCK = re.compile(r"{% block body_class %}.*?{% endblock[^%]*%}", re.S)
VALUE = "\x01"  # what a variable or a translated string stands for once masked


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.text!r}"


def _blank(source: str) -> str:
    """The same number of lines, without the words."""
    return "\n" * source.count("\n")


def _mask_keeping_lines(source: str) -> str:
    """The template with every template tag, variable, comment and translated block
    replaced: what is left is the text a reader would see untranslated. Lines keep their
    numbers."""
    out: list[str] = []
    depth = 0
    source = CLASS_BLOCK.sub(lambda m: _blank(m.group(0)), source)
    for token in Lexer(source).tokenize():
        kind = token.token_type
        contents = token.contents
        newlines = _blank(contents)
        if kind == TokenType.TEXT:
            out.append(newlines if depth else contents)
            continue
        if kind == TokenType.BLOCK:
            name = contents.split(" ", 1)[0] if contents else ""
            if name in ("blocktranslate", "blocktrans", "comment"):
                depth += 1
                out.append(VALUE + newlines)
                continue
            if name in ("endblocktranslate", "endblocktrans", "endcomment"):
                depth = max(depth - 1, 0)
                out.append(newlines)
                continue
            if name in ("translate", "trans") and " as " not in contents and not depth:
                out.append(VALUE + newlines)
                continue
            out.append(newlines)
            continue
        if kind == TokenType.VAR and not depth:
            out.append(VALUE + newlines)
            continue
        out.append(newlines)
    return "".join(out)


def _without(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: _blank(m.group(0)), text)


HTML_COMMENT = re.compile(r"<!--.*?-->|<![^>]*>", re.S)  # and <!DOCTYPE html>
HIDDEN = re.compile(
    r"<(" + "|".join(HIDDEN_ELEMENTS) + r")\b[^>]*>.*?</\1\s*>", re.S | re.IGNORECASE
)


def _words(text: str) -> bool:
    return bool(WORD.search(ENTITY.sub(" ", text)))


def _first_word(text: str) -> int:
    found = WORD.search(text)
    return found.start() if found else 0


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def findings_in(path: Path) -> list[Finding]:
    source = path.read_text(encoding="utf-8")
    skipped = {number for number, line in enumerate(source.splitlines(), 1) if SKIP in line}
    text = _mask_keeping_lines(source)
    found: list[Finding] = []

    def report(position: int, words: str) -> None:
        line = _line_of(text, position)
        if line not in skipped:
            found.append(Finding(path, line, " ".join(words.replace(VALUE, "…").split())))

    if path.suffix == ".txt":
        position = 0
        for line in text.splitlines(keepends=True):
            if _words(line):
                report(position, line)
            position += len(line)
        return found

    text = _without(HTML_COMMENT, text)
    text = HIDDEN.sub(lambda m: m.group(0)[: m.group(0).index(">") + 1] + _blank(m.group(0)), text)
    last = 0
    for tag in TAG.finditer(text):
        between = text[last : tag.start()]
        if _words(between):
            report(last + _first_word(between), between)
        last = tag.end()
        element = tag.group(2).lower()
        attributes = {name.lower(): value[1:-1] for name, value in ATTRIBUTE.findall(tag.group(3))}
        for name, value in attributes.items():
            readable = name in READ_ATTRIBUTES or (
                name == "value"
                and element in ("input", "button")
                and attributes.get("type", "").lower() in ("submit", "button", "reset")
            )
            if readable and _words(value):
                report(tag.start(), f"{name}={value}")
    rest = text[last:]
    if _words(rest):
        report(last + _first_word(rest), rest)
    return found


def templates(directory: str) -> list[Path]:
    folder = ROOT / directory
    return sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".txt") and p.is_file())


def findings(directories: list[str]) -> list[Finding]:
    return [f for d in directories for path in templates(d) for f in findings_in(path)]


@pytest.mark.parametrize("directory", CHECKED)
def test_every_word_in_the_templates_is_marked_for_translation(directory: str) -> None:
    assert templates(directory), f"{directory} has no templates: a stale entry?"
    found = findings([directory])
    assert not found, "Not marked for translation:\n" + "\n".join(map(str, found))


def test_each_template_directory_is_listed_once() -> None:
    listed = CHECKED + NOT_YET_CHECKED
    assert len(listed) == len(set(listed))
    on_disk = {
        str(p.relative_to(ROOT))
        for p in ROOT.glob("*/templates")
        if p.parent.name not in ("bench", "staticfiles", "tests")
    } | {str(p.relative_to(ROOT)) for p in ROOT.glob("*/*/templates")}
    on_disk = {d for d in on_disk if not d.startswith((".venv", "bench", "tests", "staticfiles"))}
    assert on_disk == set(listed), "Template directories to list in CHECKED or NOT_YET_CHECKED"


def test_the_linter_finds_unmarked_text_and_lets_marked_text_pass(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "{% load i18n %}\n"
        '<h1>{% translate "Welcome" %}</h1>\n'
        "<p>Hello there</p>\n"
        '<img src="x.png" alt="A cat">\n'
        '<img src="x.png" alt="{% translate "A dog" %}">\n'
        "{% blocktranslate trimmed with name=user.name %}\nHi {{ name }}\n"
        "{% endblocktranslate %}\n"
        "<!-- a comment --> {# a note #} {{ user.name }} &nbsp; · 42 —\n"
        "<script>const words = 'not for people';</script>\n"
        '<input type="submit" value="Send">\n'
        "<p>{% comment %}Translators: a note{% endcomment %}{{ value }}</p>\n"
        "<code>make run</code> {# notranslate #}\n"
        '<span title="Reply to {{ name }}">x</span>\n'
    )
    found = [(f.line, f.text) for f in findings_in(page)]
    assert found == [
        (3, "Hello there"),
        (4, "alt=A cat"),
        (11, "value=Send"),
        (14, "title=Reply to …"),
        (14, "x"),
    ]


def test_email_text_templates_are_text_from_end_to_end(tmp_path: Path) -> None:
    email = tmp_path / "email.txt"
    email.write_text('{% load i18n %}{% translate "Hi" %} {{ name }},\n\nSee you soon\n{{ url }}\n')
    assert [(f.line, f.text) for f in findings_in(email)] == [(3, "See you soon")]


if __name__ == "__main__":
    found = findings(sys.argv[1:] or CHECKED)
    print("\n".join(map(str, found)) or "All marked.")
    sys.exit(1 if found else 0)
