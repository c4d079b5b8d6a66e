"""The guide editor's markup: Markdown in one text box, stored as StreamField blocks.

Members write a guide in a single textarea with a small, forgiving dialect of Markdown;
``source_to_blocks`` turns it into the guide's StreamField blocks and ``blocks_to_source``
turns the blocks back into the same text for editing, so a guide an editor touched in
the Wagtail admin still opens in the member's editor.

    ## Heading               -> heading (### for a smaller one)
    plain paragraphs, - lists -> text (bold, italic, links, `code`)
    1. First step            -> steps (a numbered list)
    > Keep the dough cold.   -> tip
    ```python ... ```        -> code
    ![what it shows](image:12 "optional caption")  on a line of its own -> image

Everything a member writes goes through the site's one text cleaner
(``hearth.text.clean_text``: no control, zero-width or bidi-override characters), and is
rendered with raw HTML disabled, bare addresses linked by the site's one linkifier (as in
the forum), and then cleaned by nh3.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from hearth.text import LINK_REL, clean_text, linkifier

MAX_SOURCE_LENGTH = 50_000
MAX_BLOCKS = 200
IMAGE_SRC = re.compile(r"^image:(\d{1,12})$")

CODE_LANGUAGES = [
    ("text", gettext_lazy("Plain text")),
    ("bash", "Shell"),
    ("css", "CSS"),
    ("html", "HTML"),
    ("javascript", "JavaScript"),
    ("json", "JSON"),
    ("python", "Python"),
    ("sql", "SQL"),
    ("yaml", "YAML"),
]
_LANGUAGE_KEYS = {key for key, _label in CODE_LANGUAGES}
_LANGUAGE_ALIASES = {
    "js": "javascript",
    "sh": "bash",
    "shell": "bash",
    "py": "python",
    "yml": "yaml",
}


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": True}).enable(
        ["strikethrough", "linkify"]
    )
    # The site's one linkifier, the forum's too (see hearth.text).
    md.linkify = linkifier
    return md


_parser = _markdown()
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "a",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h3",
    "h4",
}


def render_markdown(source: str) -> str:
    """Member Markdown to safe HTML: no raw HTML, no images, links marked as user content."""
    html = _parser.render(source or "")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
    )


def normalise_language(info: str) -> str:
    word = (info or "").strip().split(" ")[0].lower()
    word = _LANGUAGE_ALIASES.get(word, word)
    return word if word in _LANGUAGE_KEYS else "text"


def _plain_text(node: SyntaxTreeNode) -> str:
    """The text a reader sees in an inline node: markup gone, escapes resolved."""
    parts = []
    for child in node.walk():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _line(node: SyntaxTreeNode) -> int:
    return (node.map[0] + 1) if node.map else 0


def _span(node: SyntaxTreeNode) -> tuple[int, int]:
    """The source lines of a block-level node (markdown-it maps every one of them)."""
    assert node.map is not None
    return node.map


def _slice(lines: list[str], node: SyntaxTreeNode) -> str:
    start, end = _span(node)
    return "\n".join(lines[start:end]).strip("\n")


def _inline_images(node: SyntaxTreeNode) -> Iterable[SyntaxTreeNode]:
    for child in node.walk():
        if child.type == "image":
            yield child


def _standalone_image(node: SyntaxTreeNode) -> SyntaxTreeNode | None:
    """The image node if the paragraph holds exactly one image and nothing else."""
    if node.type != "paragraph" or not node.children:
        return None
    inline = node.children[0]
    parts = [c for c in inline.children if not (c.type == "text" and not c.content.strip())]
    if len(parts) == 1 and parts[0].type == "image":
        return parts[0]
    return None


def _image_block(node: SyntaxTreeNode, line: int, allowed_image_ids: set[int]) -> dict:
    src = str(node.attrs.get("src", ""))
    match = IMAGE_SRC.match(src)
    if not match:
        raise ValidationError(
            _(
                "Line %(line)s: images must be uploaded with the form below; a link to an "
                "image elsewhere cannot be used."
            )
            % {"line": line}
        )
    image_id = int(match.group(1))
    if image_id not in allowed_image_ids:
        raise ValidationError(
            _("Line %(line)s: image %(image)s is not one of the images uploaded for this guide.")
            % {"line": line, "image": image_id}
        )
    alt = " ".join(node.content.split())
    if not alt:
        raise ValidationError(
            _(
                "Line %(line)s: describe image %(image)s for people who cannot see it, like "
                "![%(example)s](image:%(image)s)."
            )
            % {"line": line, "image": image_id, "example": _("what the image shows")}
        )
    caption = " ".join(str(node.attrs.get("title") or "").split())
    return {
        "type": "image",
        "value": {"image": image_id, "alt": alt[:250], "caption": caption[:250]},
    }


def _steps(lines: list[str], node: SyntaxTreeNode) -> list[str]:
    steps = []
    for item in node.children:
        start, end = _span(item)
        chunk = lines[start:end]
        if not chunk:
            continue
        first = re.sub(r"^\s*\d{1,9}[.)]\s?", "", chunk[0])
        rest = textwrap.dedent("\n".join(chunk[1:]))
        text = "\n".join(part for part in (first, rest) if part).strip()
        if text:
            steps.append(text)
    return steps


def _tip(lines: list[str], node: SyntaxTreeNode) -> str:
    start, end = _span(node)
    stripped = [re.sub(r"^\s{0,3}>\s?", "", line) for line in lines[start:end]]
    return "\n".join(stripped).strip()


def _structural_block(node: SyntaxTreeNode, lines: list[str]) -> dict | None:
    """The block for a heading, numbered list, quote or code node (with an empty value if
    there is nothing in it), or None for anything that belongs in a text block."""
    if node.type == "heading":
        text = _plain_text(node)
        level = "h2" if node.tag in ("h1", "h2") else "h3"
        return {"type": "heading", "value": {"text": text[:120], "level": level} if text else None}
    if node.type == "ordered_list":
        return {"type": "steps", "value": _steps(lines, node)}
    if node.type == "blockquote":
        return {"type": "tip", "value": _tip(lines, node)}
    if node.type in ("fence", "code_block"):
        code = node.content.rstrip("\n")
        language = normalise_language(node.info if node.type == "fence" else "")
        return {
            "type": "code",
            "value": {"language": language, "code": code} if code.strip() else None,
        }
    return None


def source_to_blocks(source: str, *, allowed_image_ids: Iterable[int] = ()) -> list[dict]:
    """Turn guide markup into raw StreamField data ([{"type": ..., "value": ...}]).

    Raises ValidationError with the line number of the first problem.
    """
    source = clean_text(source)
    if len(source) > MAX_SOURCE_LENGTH:
        raise ValidationError(
            _("The guide is %(length)s characters long; the limit is %(limit)s.")
            % {
                "length": number_format(len(source), force_grouping=True),
                "limit": number_format(MAX_SOURCE_LENGTH, force_grouping=True),
            }
        )
    allowed = set(allowed_image_ids)
    # Trailing spaces are invisible in a textarea; dropping them keeps every block's text
    # exactly what the editor shows back.
    lines = [line.rstrip() for line in source.split("\n")]
    source = "\n".join(lines)
    blocks: list[dict] = []
    text_run: list[str] = []

    def flush_text() -> None:
        if text_run:
            blocks.append({"type": "text", "value": "\n\n".join(text_run)})
            text_run.clear()

    for node in SyntaxTreeNode(_parser.parse(source)).children:
        line = _line(node)
        image = _standalone_image(node)
        if image is not None:
            flush_text()
            blocks.append(_image_block(image, line, allowed))
            continue
        for stray in _inline_images(node):
            raise ValidationError(
                _(
                    "Line %(line)s: put each image on a line of its own, like "
                    "![%(example)s](%(src)s)."
                )
                % {
                    "line": line,
                    "example": _("what the image shows"),
                    "src": stray.attrs.get("src", "image:1"),
                }
            )
        block = _structural_block(node, lines)
        if block is not None:
            if block["value"]:
                flush_text()
                blocks.append(block)
        elif node.map and (text := _slice(lines, node)).strip():
            text_run.append(text)
    flush_text()

    if not blocks:
        raise ValidationError(_("Write the guide itself: the body is empty."))
    if len(blocks) > MAX_BLOCKS:
        raise ValidationError(
            _("The guide has %(count)s parts; split it into guides of at most %(limit)s.")
            % {"count": len(blocks), "limit": MAX_BLOCKS}
        )
    return blocks


def _fence(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    return "`" * max(3, longest + 1)


def _escape_inline(text: str) -> str:
    """Backslash-escape what Markdown would otherwise read as markup (plain text stays
    plain text on the way back in)."""
    return re.sub(r"([\\`*_\[\]<>&~#!])", r"\\\1", text)


def _escape_title(text: str) -> str:
    return re.sub(r'([\\"])', r"\\\1", text)


def blocks_to_source(raw_blocks: Iterable[dict]) -> str:
    """The inverse of ``source_to_blocks``, from raw StreamField data."""
    parts: list[str] = []
    for block in raw_blocks:
        kind = block.get("type")
        value: Any = block.get("value")  # raw JSON: its shape depends on the kind
        if kind == "heading":
            marker = "###" if value.get("level") == "h3" else "##"
            parts.append(f"{marker} {_escape_inline(value.get('text', ''))}")
        elif kind == "text":
            parts.append(str(value or ""))
        elif kind == "image":
            if not value or not value.get("image"):
                continue
            caption = value.get("caption") or ""
            title = f' "{_escape_title(caption)}"' if caption else ""
            parts.append(
                f"![{_escape_inline(value.get('alt', ''))}](image:{value['image']}{title})"
            )
        elif kind == "steps":
            items = []
            for number, step in enumerate(value or [], start=1):
                text = step.get("value", "") if isinstance(step, dict) else str(step)
                first, *rest = str(text).split("\n")
                indent = " " * (len(str(number)) + 2)
                items.append("\n".join([f"{number}. {first}", *(indent + r for r in rest)]))
            parts.append("\n".join(items))
        elif kind == "tip":
            parts.append("\n".join(f"> {line}".rstrip() for line in str(value or "").split("\n")))
        elif kind == "code":
            code = value.get("code", "")
            fence = _fence(code)
            language = value.get("language") or "text"
            parts.append(f"{fence}{'' if language == 'text' else language}\n{code}\n{fence}")
    return "\n\n".join(part for part in parts if part.strip())
