"""Moderation in the Wagtail admin: canned reasons, member records, appeals, audit log."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from community.moderation import admin_views
from community.moderation.log_formatters import LOG_ACTIONS
from community.moderation.models import CannedReason

_admin_urls = [
    path("members/", admin_views.member_search, name="members"),
    path("members/<int:pk>/", admin_views.member, name="member"),
    path("members/<int:pk>/notes/", admin_views.add_note, name="add-note"),
    path("penalties/<int:pk>/lift/", admin_views.lift, name="lift"),
    path("appeals/", admin_views.appeal_list, name="appeals"),
    path("appeals/<int:pk>/", admin_views.appeal, name="appeal"),
]


@hooks.register("register_admin_urls")
def register_moderation_admin_urls():
    return [path("moderation/", include((_admin_urls, "moderation_admin")))]


class CannedReasonViewSet(ModelViewSet):
    """Only moderators hold the permissions on canned reasons (the 0002 migration)."""

    model = CannedReason
    icon = "clipboard-list"
    menu_label = "Canned reasons"
    add_to_admin_menu = False
    list_display = ["title", "active"]
    list_filter = ["active"]
    form_fields = ["title", "text", "active"]
    copy_view_enabled = False
    inspect_view_enabled = False


canned_reason_viewset = CannedReasonViewSet("canned_reasons")


@hooks.register("register_admin_viewset")
def register_canned_reasons():
    return canned_reason_viewset


class _ModeratorMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.is_authenticated and request.user.is_moderator


@hooks.register("register_admin_menu_item")
def register_members_menu_item():
    return _ModeratorMenuItem(
        "Members", reverse("moderation_admin:members"), icon_name="user", order=240
    )


@hooks.register("register_admin_menu_item")
def register_appeals_menu_item():
    return _ModeratorMenuItem(
        "Appeals", reverse("moderation_admin:appeals"), icon_name="help", order=241
    )


@hooks.register("register_admin_menu_item")
def register_canned_reasons_menu_item():
    return _ModeratorMenuItem(
        "Canned reasons",
        reverse(canned_reason_viewset.get_url_name("index")),
        icon_name="clipboard-list",
        order=242,
    )


@hooks.register("register_log_actions")
def register_moderation_log_actions(actions) -> None:
    for action, formatter in LOG_ACTIONS.items():
        actions.register_action(action)(formatter)
