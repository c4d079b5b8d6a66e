"""One search over the whole site.

Each app registers a source: a callable ``(query, request) -> queryset of search
results`` (usually ``Model.objects.visible_to(user).search(query)``) plus a label shown
on each result ("Blog post", "Guide", "Topic"). The search page asks every source,
merges the results by score and paginates them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class SearchSource:
    key: str
    label: str
    search: Callable[[str, HttpRequest], Any]
    # At most this many results are taken from one source before merging.
    limit: int = 200


_sources: dict[str, SearchSource] = {}


def register_search_source(source: SearchSource) -> None:
    _sources[source.key] = source


def search_sources() -> list[SearchSource]:
    return list(_sources.values())


@dataclass
class SearchHit:
    label: str
    title: str
    url: str
    snippet: str
    score: float
    obj: Any
    key: str = ""


def _describe(obj: Any) -> tuple[str, str, str]:
    title = getattr(obj, "search_title", None) or getattr(obj, "title", None) or str(obj)
    url = obj.get_url() if hasattr(obj, "get_url") else obj.get_absolute_url()
    snippet = getattr(obj, "search_snippet", None) or getattr(obj, "search_description", "")
    if callable(snippet):
        snippet = snippet()
    return str(title), url or "", str(snippet or "")


def search_everything(query: str, request: HttpRequest) -> list[SearchHit]:
    hits: list[SearchHit] = []
    for source in search_sources():
        results = source.search(query, request)
        with contextlib.suppress(AttributeError):
            results = results.annotate_score("_score")
        for obj in results[: source.limit]:
            title, url, snippet = _describe(obj)
            score = float(getattr(obj, "_score", 0) or 0)
            hits.append(SearchHit(source.label, title, url, snippet, score, obj, source.key))
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return hits
