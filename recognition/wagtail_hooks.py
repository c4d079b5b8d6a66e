"""Challenges and the surprise in the Wagtail admin: the editors' challenge screens, the
draws' audit list for moderators and editors (the surprise's settings are a Wagtail
setting, under Settings)."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from recognition import admin_views
from recognition.forms import ChallengeForm
from recognition.models import Challenge


class ChallengeViewSet(ModelViewSet):
    model = Challenge
    icon = "pick"
    menu_label = gettext_lazy("Challenges")
    add_to_admin_menu = True
    menu_order = 365
    list_display = [
        "title",
        "starts_on",
        "ends_on",
        "action",
        "goal",
        Column("audience_label", label=gettext_lazy("Audience")),
    ]
    list_filter = ["action"]
    inspect_view_enabled = False
    copy_view_enabled = False

    def get_form_class(self, for_update: bool = False):
        return ChallengeForm


@hooks.register("register_admin_viewset")
def register_challenges():
    return ChallengeViewSet("challenges")


@hooks.register("register_admin_urls")
def register_recognition_admin_urls():
    return [path("surprise-draws/", admin_views.draws, name="recognition_draws")]


class _AuditMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return admin_views.may_audit_draws(request.user)


@hooks.register("register_admin_menu_item")
def register_draws_menu_item():
    return _AuditMenuItem(
        gettext_lazy("Surprise draws"),
        reverse("recognition_draws"),
        name="surprise-draws",
        icon_name="pick",
        order=366,
    )
