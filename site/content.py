"""Content found by its address, for apps that must not import the app that owns it.

A referral link remembers the address it leads to ("/forum/t/12-bread/"); the referral
hub needs the topic behind it (to pay its author) without importing the forum. The app
that owns a page registers, in AppConfig.ready(), a finder for its view names::

    register_finder(["forum:topic", "forum:topic-short"], topic_at)

where ``topic_at(match)`` gets the resolved address (``django.urls.ResolverMatch``) and
returns the object or None. Wagtail pages need no finder: the hub finds them by path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Model
from django.urls import Resolver404, ResolverMatch, resolve

Finder = Callable[[ResolverMatch], "Model | None"]
_finders: dict[str, Finder] = {}


def register_finder(view_names: Iterable[str], finder: Finder) -> None:
    for name in view_names:
        _finders[name] = finder


def content_at(path: str) -> Model | None:
    """The object shown at ``path`` when its app registered a finder, else None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    finder = _finders.get(match.view_name)
    return finder(match) if finder is not None else None
