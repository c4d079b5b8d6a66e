"""Notification levels of categories and tags (a topic's is views.responses.watch); the
responses all three share."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hearth.access import sign_in_for_members
from hearth.http import AuthenticatedHtmxHttpRequest
from hearth.rules import RuleError, flash

from .. import actions, pages
from ..models import Category, NotificationLevel, TopicTag


@require_POST
@login_required
def category_level(request: AuthenticatedHtmxHttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    if not category.may_read(request.user):
        return sign_in_for_members(request)
    context = {"level_target": "category", "category": category}
    level = request.POST.get("level", "")
    try:
        actions.set_category_level(category=category, member=request.user, level=level)
    except RuleError as error:
        current = actions.category_level(category=category, member=request.user)
        return level_refused(request, error, context, current, after=category)
    return level_saved(request, context, level, after=category)


@require_POST
@login_required
def tag_level(request: AuthenticatedHtmxHttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(TopicTag, slug=slug)
    context = {"level_target": "tag", "tag": tag}
    level = request.POST.get("level", "")
    try:
        actions.set_tag_level(tag=tag, member=request.user, level=level)
    except RuleError as error:
        current = actions.tag_level(tag=tag, member=request.user)
        return level_refused(request, error, context, current, after=tag)
    return level_saved(request, context, level, after=tag)


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
