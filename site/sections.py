"""Slots on shared pages that apps fill without the page knowing about them.

The home page ("home") shows the latest blog posts, guides and topics; the public
profile ("profile") shows a member's guides, topics and badges. An app registers, in its
AppConfig.ready()::

    @register_section("home", order=10)
    def latest_posts(request, **kwargs):
        return "blog/_home_latest.html", {"posts": ...}   # or None to show nothing

and the page includes each template with its context, in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Section = Callable[..., "tuple[str, dict[str, Any]] | None"]
_slots: dict[str, list[tuple[int, str, Section]]] = defaultdict(list)


def register_section(slot: str, *, order: int = 50) -> Callable[[Section], Section]:
    def decorator(func: Section) -> Section:
        key = f"{func.__module__}.{func.__qualname__}"
        entries = [entry for entry in _slots[slot] if entry[1] != key]
        entries.append((order, key, func))
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        _slots[slot] = entries
        return func

    return decorator


def render_sections(slot: str, request, **kwargs: Any) -> list[tuple[str, dict[str, Any]]]:
    rendered = []
    for _, _, func in _slots[slot]:
        result = func(request, **kwargs)
        if result is not None:
            rendered.append(result)
    return rendered
