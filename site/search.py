"""One search over the whole site.

Each app registers a source: a callable ``(query, request) -> queryset of search
results`` (usually ``Model.objects.visible_to(user).search(query)``) plus a label shown
on each result ("Blog post", "Guide", "Topic"). The search page asks every source,
merges the results by score and paginates them.

A result object describes itself through optional attributes: ``search_title`` (else
``title``), ``search_url`` (else ``get_url()`` / ``get_absolute_url()``), ``search_label``
(else the source's label), ``search_meta`` (a line such as "Reply #4 by Maya") and
``search_text`` (plain text: the snippet is cut from it around the first match, with the
matched words in ``<mark>``; else ``search_snippet`` / ``search_description``).

A source may also answer a *scope*: a query parameter that narrows the search to one
place (``?topic=12``: the posts of one topic). When the request names a scope, only the
sources that answer it are asked; :func:`search_scope` says what the scope is for the page
("Searching only in …").

Results are kept (:func:`results_key`, hearth.kept_pages' rules): a visitor's whole page,
and for members the results part of the page (search.html), shared by every reader of
the same kind, for the query string and the language, for a minute at most. A source
names the kept-page generations retired whenever its results may change (the forum's on
any topic, post or name; the site's pages on publishing), so a change shows at once.
Whatever a result shows is worked out for the hits of the page shown only.
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from hearth import kept_pages

SNIPPET_LENGTH = 240  # characters of text around the first match
SNIPPET_LEAD = 60  # of them, before the match
# Results are kept this long at most (a source's index may be written by a task a little
# after the change that retired them).
KEPT_SECONDS = 60
# The query string of a results page; any other parameter gets the page worked out afresh.
KEPT_PARAMETERS = frozenset({"q", "type", "page", "topic", "language"})
LONGEST_PATH = kept_pages.LONGEST_PATH


@dataclass(frozen=True)
class SearchScope:
    """A query parameter (``param``) that narrows the search to one place. ``describe``
    turns its value into the place as the reader may see it (``(title, url)``), or None
    when the value names nothing they may see (then nothing is found)."""

    param: str
    describe: Callable[[str, HttpRequest], tuple[str, str] | None]


@dataclass(frozen=True)
class SearchSource:
    key: str
    label: str
    search: Callable[[str, HttpRequest], Any]
    # At most this many results are taken from one source before merging.
    limit: int = 200
    scope: SearchScope | None = None
    # The kept-page generations (hearth.kept_pages) retired whenever this source's results
    # may change: a results page is kept under all the sources' generations.
    generations: tuple[str, ...] = ()


_sources: dict[str, SearchSource] = {}


def register_search_source(source: SearchSource) -> None:
    _sources[source.key] = source


def search_sources() -> list[SearchSource]:
    return list(_sources.values())


def results_key(request: HttpRequest) -> str | None:
    """Where the results of this request's search are kept: the same for every reader of
    one kind (a visitor, a member, a moderator), for the query string and the language, under
    every source's generations, so any change a source reports retires them. None when
    nothing may be kept (a parameter the search does not know, the cache away)."""
    if not set(request.GET) <= KEPT_PARAMETERS or len(request.get_full_path()) > LONGEST_PATH:
        return None
    user = request.user
    if not user.is_authenticated:
        reader = "visitor"
    else:
        reader = "moderator" if getattr(user, "is_moderator", False) else "member"
    generations = sorted({g for source in search_sources() for g in source.generations})
    return kept_pages.page_key(f"search:results:{reader}", generations, request)


def kept(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The search page, kept whole for visitors by hearth.kept_pages' rules."""

    @functools.wraps(view)
    def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return kept_pages.served(
            request,
            lambda: results_key(request),
            lambda: view(request, *args, **kwargs),
            timeout=KEPT_SECONDS,
            parameters=KEPT_PARAMETERS,
        )

    return serve


@dataclass(frozen=True)
class ActiveScope:
    """The scope a search page is narrowed to: ``title`` and ``url`` of the place (empty
    when the value names nothing the reader may see)."""

    param: str
    value: str
    title: str = ""
    url: str = ""


def search_scope(request: HttpRequest) -> ActiveScope | None:
    """The scope the request names (``?topic=12``), described once per request and kept
    on it as ``request.search_scope`` for the template."""
    if hasattr(request, "search_scope"):
        return request.search_scope
    scope = None
    for source in search_sources():
        if source.scope is None:
            continue
        value = request.GET.get(source.scope.param, "").strip()
        if value:
            place = source.scope.describe(value, request)
            title, url = place or ("", "")
            scope = ActiveScope(source.scope.param, value, title, url)
            break
    request.search_scope = scope  # type: ignore[attr-defined]
    return scope


def search_language(request: HttpRequest) -> str | None:
    """The language ``?language=`` narrows the search to (members' topics, replies and
    guides written in it), when Hearth offers it; anything else searches every language.
    Sources match it with the language's own text search configuration where the database
    has one (hearth.content_language.search_in_language)."""
    from hearth import content_language

    return content_language.valid(request.GET.get("language"))


@dataclass
class SearchHit:
    """One result. Every hit is scored and counted, but a page shows twenty: what it shows
    (title, address, label, line, snippet) is worked out from ``obj`` for those only."""

    source_label: str
    score: float
    obj: Any
    key: str = ""
    query: str = field(default="", repr=False)

    @cached_property
    def _described(self) -> tuple[str, str]:
        return _describe(self.obj)

    @property
    def title(self) -> str:
        return self._described[0]

    @property
    def url(self) -> str:
        return self._described[1]

    @cached_property
    def label(self) -> str:
        return str(_attribute(self.obj, "search_label") or self.source_label)

    @cached_property
    def meta(self) -> str:
        return str(_attribute(self.obj, "search_meta"))

    @cached_property
    def text(self) -> str:
        return _text(self.obj)

    @cached_property
    def snippet(self) -> SafeString:
        """The text around the first match, escaped, with the matched words marked."""
        return highlight(self.text, self.query)


def _attribute(obj: Any, *names: str) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if callable(value):
            value = value()
        if value:
            return value
    return ""


def _describe(obj: Any) -> tuple[str, str]:
    title = _attribute(obj, "search_title", "title") or str(obj)
    url = _attribute(obj, "search_url")
    if not url:
        url = obj.get_url() if hasattr(obj, "get_url") else obj.get_absolute_url()
    return str(title), url or ""


def _text(obj: Any) -> str:
    return str(_attribute(obj, "search_text", "search_snippet", "search_description"))


def search_everything(query: str, request: HttpRequest) -> list[SearchHit]:
    scope = search_scope(request)
    sources = search_sources()
    if scope is not None:
        sources = [s for s in sources if s.scope and s.scope.param == scope.param]
    hits: list[SearchHit] = []
    for source in sources:
        results = source.search(query, request)
        with contextlib.suppress(AttributeError):
            results = results.annotate_score("_score")
        hits.extend(
            SearchHit(
                source_label=source.label,
                score=float(getattr(obj, "_score", 0) or 0),
                obj=obj,
                key=source.key,
                query=query,
            )
            for obj in results[: source.limit]
        )
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return hits


# --- snippets ---------------------------------------------------------------------

# Block-level tags end a run of words: "<p>one</p><p>two</p>" reads "one two".
_BLOCK_TAG = re.compile(
    r"<(?=/?(?:p|br|li|ul|ol|h[1-6]|pre|blockquote|div|tr|td|th|table|hr|img|figure)\b)", re.I
)
_WORD = re.compile(r"\w+")


def plain_text(rendered: str) -> str:
    """What a reader reads in rendered (sanitised) HTML: tags dropped, entities decoded,
    spaces collapsed."""
    return " ".join(html.unescape(strip_tags(_BLOCK_TAG.sub(" <", rendered or ""))).split())


def _term_pattern(query: str) -> re.Pattern[str] | None:
    """The query's words as one pattern. A longer word also matches the other forms of
    its stem ("feeding" marks "feed" and "feeds"), as the full-text search found them."""
    stems = set()
    for word in _WORD.findall(query.lower()):
        stems.add(word if len(word) <= 4 else word[: max(4, len(word) - 3)])
    if not stems:
        return None
    alternatives = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.I)


def highlight(text: str, query: str, length: int = SNIPPET_LENGTH) -> SafeString:
    """About ``length`` characters of plain ``text`` around the first word of ``query``
    it holds, HTML-escaped, each matched word in ``<mark>``; "…" where it was cut."""
    text = " ".join((text or "").split())
    pattern = _term_pattern(query)
    first = pattern.search(text) if pattern else None
    start = 0
    if first and first.start() > SNIPPET_LEAD:
        start = text.rfind(" ", 0, first.start() - SNIPPET_LEAD) + 1
    end = len(text)
    if end - start > length:
        end = text.rfind(" ", start, start + length)
        if end <= (first.end() if first else start):
            end = start + length
    window = text[start:end]
    parts: list[str] = ["…"] if start else []
    cursor = 0
    for match in pattern.finditer(window) if pattern else ():
        parts.append(escape(window[cursor : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        cursor = match.end()
    parts.append(escape(window[cursor:]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above
