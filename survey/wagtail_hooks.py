from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_survey_admin_urls() -> list[Any]:
    return [path("survey/", admin_views.dashboard_view, name="survey_dashboard")]


class _StaffMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return admin_views.may_view_dashboard(request.user)


@hooks.register("register_admin_menu_item")
def register_survey_menu_item() -> MenuItem:
    return _StaffMenuItem(
        "Recommend survey",
        reverse("survey_dashboard"),
        name="recommend-survey",
        icon_name="view",
        order=105,
    )


@hooks.register("register_log_actions")
def register_survey_log_actions(actions) -> None:
    actions.register_action(
        "hearth.survey.reply", "Reply to survey answer", "Replied to a survey answer"
    )
    actions.register_action(
        "hearth.survey.close", "Close survey answer", "Survey answer followed up and closed"
    )
