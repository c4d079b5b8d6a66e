"""The referral hub in the Wagtail admin: menu, screens, home panels, audit-log actions,
and the editable points rules."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet

from referrals import admin_views
from referrals.models import PointsRule, Referral, ThankYouTask

_admin_urls = [
    path("held/", admin_views.held_list, name="held"),
    path("held/<int:pk>/", admin_views.review, name="review"),
    path("links/", admin_views.links, name="links"),
    path("dashboard/", admin_views.dashboard_view, name="dashboard"),
    path("thank-you/", admin_views.thank_you_list, name="thank_you_list"),
    path("thank-you/<int:pk>/", admin_views.thank_you, name="thank_you"),
]


@hooks.register("register_admin_urls")
def register_referral_admin_urls():
    return [path("referrals/", include((_admin_urls, "referrals_admin")))]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.permission)


class _ReferralsSubmenu(SubmenuMenuItem):
    def is_shown(self, request) -> bool:
        return any(
            request.user.has_perm(p)
            for p in (admin_views.REVIEW, admin_views.DASHBOARD, admin_views.THANK)
        )


@hooks.register("register_admin_menu_item")
def register_referrals_menu():
    items = [
        _PermissionMenuItem(
            gettext_lazy("Dashboard"),
            reverse("referrals_admin:dashboard"),
            icon_name="view",
            order=100,
            permission=admin_views.DASHBOARD,
        ),
        _PermissionMenuItem(
            gettext_lazy("Held referrals"),
            reverse("referrals_admin:held"),
            icon_name="warning",
            order=200,
            permission=admin_views.REVIEW,
        ),
        _PermissionMenuItem(
            gettext_lazy("Referral links"),
            reverse("referrals_admin:links"),
            icon_name="link",
            order=300,
            permission=admin_views.REVIEW,
        ),
        _PermissionMenuItem(
            gettext_lazy("Thank-you notes"),
            reverse("referrals_admin:thank_you_list"),
            icon_name="mail",
            order=400,
            permission=admin_views.THANK,
        ),
    ]
    return _ReferralsSubmenu(
        gettext_lazy("Referrals"), Menu(items=items), icon_name="group", order=350
    )


class PointsRuleViewSet(ModelViewSet):
    model = PointsRule
    icon = "pick"
    menu_label = gettext_lazy("Points rules")
    add_to_admin_menu = True
    menu_order = 360
    form_fields = ["points", "cap", "cap_period", "enabled"]
    list_display = ["action", "points", "cap", "cap_period", "enabled"]
    inspect_view_enabled = False
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_points_rules():
    return PointsRuleViewSet("points_rules")


class _HomePanel(Component):
    template_name = "referrals/admin/home_panel.html"
    order = 150

    def __init__(self, *, held: int | None, thank_yous: int | None) -> None:
        self.held = held
        self.thank_yous = thank_yous

    def get_context_data(self, parent_context):
        return {"held": self.held, "thank_yous": self.thank_yous}


@hooks.register("construct_homepage_panels")
def add_referral_panel(request, panels) -> None:
    user = request.user
    held = Referral.objects.held().count() if user.has_perm(admin_views.REVIEW) else None
    thank_yous = ThankYouTask.objects.open().count() if user.has_perm(admin_views.THANK) else None
    if held or thank_yous:
        panels.append(_HomePanel(held=held, thank_yous=thank_yous))


@hooks.register("register_log_actions")
def register_referral_log_actions(actions) -> None:
    actions.register_action(
        "hearth.referrals.hold",
        gettext_lazy("Hold referral"),
        gettext_lazy("Referral held for review"),
    )
    actions.register_action(
        "hearth.referrals.approve",
        gettext_lazy("Approve referral"),
        gettext_lazy("Referral approved"),
    )
    actions.register_action(
        "hearth.referrals.reject",
        gettext_lazy("Reject referral"),
        gettext_lazy("Referral rejected"),
    )
    actions.register_action(
        "hearth.referrals.revoke", gettext_lazy("Revoke referral"), gettext_lazy("Referral revoked")
    )
    actions.register_action(
        "hearth.referrals.disable_link",
        gettext_lazy("Disable referral link"),
        gettext_lazy("Referral link disabled"),
    )
    actions.register_action(
        "hearth.referrals.enable_link",
        gettext_lazy("Enable referral link"),
        gettext_lazy("Referral link enabled"),
    )
    actions.register_action(
        "hearth.referrals.award",
        gettext_lazy("Award top recommenders"),
        gettext_lazy("Top recommenders awarded"),
    )
    actions.register_action(
        "hearth.referrals.thank_you",
        gettext_lazy("Send thank-you"),
        gettext_lazy("Thank-you message sent"),
    )
