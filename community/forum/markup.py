"""Post markup: Markdown rendered once on save, then sanitised with an allowlist.

markdown-it-py runs with raw HTML off (tags in the source come out as text) and its own
link validation (no ``javascript:``/``vbscript:``/``file:``/``data:`` links). Bare
addresses become links through markdown-it's ``linkify`` option, backed by the site's one
linkifier (``hearth.text.linkifier``: addresses with a scheme only, never a bare
"example.com"). The token stream is then adjusted (headings shifted below the page's own,
@mentions turned into links, images from elsewhere turned into plain links so posts never
load third-party images) and nh3 sanitises the result as a second, independent line of
defence: known tags and attributes only, no styles, scripts, iframes or event handlers,
and every link gets ``rel="nofollow ugc noopener"``.

A new member's post (trust level 0, ``community.trust.may_post_links``) is rendered with
``links=False``: links and images become their text (a link's words, an image's alt
text), so nothing in it is clickable or loads; @mentions stay links to profiles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import nh3
from django.conf import settings
from markdown_it import MarkdownIt
from markdown_it.token import Token

from community.mentions import MENTION_RE, mentioned_members
from community.models import User
from hearth.params import parse_int
from hearth.text import LINK_REL, linkifier

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# How many distinct @names are looked up at most (the posting rule allows 5 mentions).
MENTION_LOOKUP_LIMIT = 50

_MARKDOWN_PUNCTUATION = set("\\`*_{}[]<>()#+-.!|~&")


def escape_markdown(text: str) -> str:
    """Plain text made literal inside Markdown: every character that could start markup
    is backslash-escaped (CommonMark lets any ASCII punctuation be escaped), so a display
    name like ``[support](https://evil.example)`` stays words, never a disguised link."""
    return "".join("\\" + ch if ch in _MARKDOWN_PUNCTUATION else ch for ch in text)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": True}).enable(
        ["table", "strikethrough", "linkify"]
    )
    # The site's one linkifier, not a second one configured here (see hearth.text).
    md.linkify = linkifier
    return md


_md = _markdown()


def own_image_prefix() -> str:
    return f"{settings.MEDIA_URL.rstrip('/')}/forum/"


def _is_own_image(src: str) -> bool:
    prefix = own_image_prefix()
    return src.startswith(prefix) and ".." not in src and "//" not in src[len(prefix) - 1 :]


@dataclass
class RenderedPost:
    html: str
    mentioned: list[User] = field(default_factory=list)


def _walk_text(tokens: list[Token]):
    """Yield (inline token, child index) for text outside links and code."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        depth = 0
        for i, child in enumerate(token.children):
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and depth == 0:
                yield token, i


def _link_tokens(href: str, text: str, css_class: str = "") -> list[Token]:
    attrs: dict[str, str | int | float] = {"href": href}
    if css_class:
        attrs["class"] = css_class
    opening = Token("link_open", "a", 1, attrs=attrs)
    body = Token("text", "", 0, content=text)
    closing = Token("link_close", "a", -1)
    return [opening, body, closing]


def _split_text(content: str, members: dict[str, User]) -> list[Token] | None:
    """Turn @mentions of real members in a text run (outside links) into links."""
    pieces: list[tuple[int, int, list[Token]]] = []
    for match in MENTION_RE.finditer(content):
        member = members.get(match.group(1).lower())
        if member is not None:
            link = _link_tokens(member.get_absolute_url(), f"@{member.username}", "mention")
            pieces.append((match.start(), match.end(), link))
    if not pieces:
        return None
    out: list[Token] = []
    cursor = 0
    for start, end, link in pieces:
        if start > cursor:
            out.append(Token("text", "", 0, content=content[cursor:start]))
        out.extend(link)
        cursor = end
    if cursor < len(content):
        out.append(Token("text", "", 0, content=content[cursor:]))
    return out


def _mention_candidates(tokens: list[Token]) -> list[str]:
    seen: dict[str, str] = {}
    for inline, i in _walk_text(tokens):
        for match in MENTION_RE.finditer(inline.children[i].content):
            seen.setdefault(match.group(1).lower(), match.group(1))
    return list(seen.values())


def _adjust(tokens: list[Token], members: dict[str, User], *, links: bool = True) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            # The page has h1 (topic) and h2 (posts); a post's headings start at h3.
            level = min(int(token.tag[1]) + 2, 6)
            token.tag = f"h{level}"
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        depth = 0
        for child in token.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            if not links and child.type in ("link_open", "link_close"):
                continue  # the link's words stay, as text
            if not links and child.type == "image":
                children.append(Token("text", "", 0, content=child.content))
                continue
            if child.type == "image" and not _is_own_image(str(child.attrs.get("src", ""))):
                src = str(child.attrs.get("src", ""))
                alt = child.content or src
                if depth:
                    children.append(Token("text", "", 0, content=alt))
                else:
                    children.extend(_link_tokens(src, alt))
                continue
            if child.type == "text" and depth == 0:
                replaced = _split_text(child.content, members)
                if replaced is not None:
                    children.extend(replaced)
                    continue
            children.append(child)
        token.children = children


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        allowed_classes={"a": {"mention"}},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )


_SAFE_HREF = re.compile(r"^(https?://[^/\s]|mailto:[^\s]|/(?!/)|#)", re.IGNORECASE)


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if _is_own_image(value) else None
    if element == "a" and attribute == "href":
        # Absolute web and mail links, site paths and fragments only: no relative
        # oddities (``%22javascript:...``) and no protocol-relative ``//host`` links.
        return value if _SAFE_HREF.match(value) else None
    if element == "ol" and attribute == "start":
        # A plain number: "²" passes str.isdigit() but is no list position.
        try:
            parse_int(value, maximum=999_999)
        except ValueError:
            return None
    return value


def render_post(source: str, *, links: bool = True) -> RenderedPost:
    """Markdown source to safe HTML, plus the members it mentions (in order).

    ``links=False`` (a new member's post): links and images are shown as their text.
    """
    env: dict = {}
    tokens = _md.parse(source, env)
    names = _mention_candidates(tokens)
    members: list[User] = []
    if names:
        lookup = " ".join(f"@{name}" for name in names[:MENTION_LOOKUP_LIMIT])
        members = mentioned_members(lookup)
    by_name = {member.username.lower(): member for member in members}
    _adjust(tokens, by_name, links=links)
    html = _md.renderer.render(tokens, _md.options, env)
    return RenderedPost(html=sanitise(html), mentioned=members)
