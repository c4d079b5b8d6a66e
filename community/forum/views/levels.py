"""Notification levels of categories and tags (a topic's is views.responses.watch), the
responses all three share, and the member's forum notification preferences."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hearth.access import sign_in_for_members
from hearth.http import AuthenticatedHtmxHttpRequest, AuthenticatedHttpRequest
from hearth.rules import RuleError, flash

from .. import actions, pages
from ..forms import NotificationEmailsForm
from ..models import Category, NotificationLevel, TopicTag

# A level form on the preferences page says so, to come back there without JavaScript.
FROM_PREFERENCES = "preferences"


@require_POST
@login_required
def category_level(request: AuthenticatedHtmxHttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    if not category.may_read(request.user):
        return sign_in_for_members(request)
    context = {"level_target": "category", "category": category, **_origin(request, category)}
    level = request.POST.get("level", "")
    try:
        actions.set_category_level(category=category, member=request.user, level=level)
    except RuleError as error:
        current = actions.category_level(category=category, member=request.user)
        return level_refused(request, error, context, current, after=_after(request, category))
    return level_saved(request, context, level, after=_after(request, category))


@require_POST
@login_required
def tag_level(request: AuthenticatedHtmxHttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(TopicTag, slug=slug)
    context = {"level_target": "tag", "tag": tag, **_origin(request, tag)}
    level = request.POST.get("level", "")
    try:
        actions.set_tag_level(tag=tag, member=request.user, level=level)
    except RuleError as error:
        current = actions.tag_level(tag=tag, member=request.user)
        return level_refused(request, error, context, current, after=_after(request, tag))
    return level_saved(request, context, level, after=_after(request, tag))


def _origin(request: AuthenticatedHttpRequest, target: Category | TopicTag) -> dict[str, str]:
    """On the preferences page the control is labelled with what it is for."""
    if not _from_preferences(request):
        return {}
    return {"level_from": FROM_PREFERENCES, "level_label": target.name}


def _from_preferences(request: AuthenticatedHttpRequest) -> bool:
    return request.POST.get("from") == FROM_PREFERENCES


def _after(request: AuthenticatedHttpRequest, target: Category | TopicTag) -> Any:
    return "forum:preferences" if _from_preferences(request) else target


def level_saved(
    request: AuthenticatedHtmxHttpRequest, context: dict[str, Any], level: str, *, after: Any
) -> HttpResponse:
    """The control again (htmx), or back to the page with the level in a message."""
    choices = pages.level_choices(level)
    if request.htmx:
        return render(request, "forum/_watch.html", {**context, **choices})
    messages.success(request, choices["level_status"])
    return redirect(after)


def level_refused(
    request: AuthenticatedHtmxHttpRequest,
    error: RuleError,
    context: dict[str, Any],
    current: NotificationLevel,
    *,
    after: Any,
) -> HttpResponse:
    """Nothing changed: the control with the reason (htmx), or the page with a message."""
    if request.htmx:
        choices = pages.level_choices(current)
        return render(
            request, "forum/_watch.html", {**context, **choices, "level_error": error.message}
        )
    flash(request, error)
    return redirect(after)


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Which notifications also come by email, and the member's category, tag and muted
    topic choices in one place."""
    if request.method == "POST":
        form = NotificationEmailsForm(request.POST)
        if form.is_valid():
            actions.set_notification_emails(member=request.user, **form.cleaned_data)
            messages.success(request, _("Your email choices are saved."))
            return redirect("forum:preferences")
    else:
        form = NotificationEmailsForm(initial=pages.email_choices(request.user))
    return render(request, "forum/preferences.html", pages.preferences_page(request, form))
