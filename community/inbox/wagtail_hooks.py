"""The review inbox in the Wagtail admin: its screens, a menu item with the count, and a
dashboard panel. Only moderators see the menu item and the panel."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import include, path, reverse
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import actions, views

_urls = [
    path("", views.index, name="index"),
    path("decide/", views.decide, name="decide"),
    path("claim/", views.claim, name="claim"),
    path("bulk/", views.bulk, name="bulk"),
]


@hooks.register("register_admin_urls")
def register_inbox_urls() -> list[Any]:
    return [path("inbox/", include((_urls, "inbox")))]


def _is_moderator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_moderator)


def waiting_count(request: HttpRequest) -> int:
    """How many items wait, counted once per request (the menu and the panel share it)."""
    count = getattr(request, "_inbox_waiting", None)
    if count is None:
        count = actions.pending_count()
        request._inbox_waiting = count  # type: ignore[attr-defined]
    return count


class InboxMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return _is_moderator(request)

    def render_component(self, request: HttpRequest) -> Any:
        # The menu item is built once for the process; the count is drawn per request.
        count = waiting_count(request)
        label = f"{self.label} ({count})" if count else self.label
        component = super().render_component(request)
        component.label = label
        return component


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item() -> MenuItem:
    return InboxMenuItem(
        "Review inbox", reverse("inbox:index"), name="review-inbox", icon_name="warning", order=90
    )


class InboxPanel(Component):
    template_name = "inbox/home_panel.html"
    order = 90

    def __init__(self, *, count: int) -> None:
        self.count = count

    def get_context_data(self, parent_context: Any) -> dict[str, Any]:
        return {
            "count": self.count,
            "text": ngettext(
                "%(count)d item waits for a moderator",
                "%(count)d items wait for a moderator",
                self.count,
            )
            % {"count": self.count},
        }


@hooks.register("construct_homepage_panels")
def add_inbox_panel(request: HttpRequest, panels: list[Any]) -> None:
    if _is_moderator(request):
        panels.append(InboxPanel(count=waiting_count(request)))
