"""Reactions, solutions and a topic's notification level."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hearth.http import AuthenticatedHtmxHttpRequest, AuthenticatedHttpRequest
from hearth.rules import RuleError, flash, form_errors_as_text

from .. import actions, pages
from ..forms import ReactionForm, WatchForm
from ..models import Post
from ._access import after, visible_post, visible_topic
from .levels import level_refused, level_saved


@require_POST
@login_required
def react(request: AuthenticatedHtmxHttpRequest, pk: int) -> HttpResponse:
    post = visible_post(request, pk)
    refusal = _toggle_reaction(request, post)
    if request.htmx:
        html = pages.reactions_partial(request, post, error=refusal.message if refusal else "")
        return HttpResponse(html)
    if refusal:
        flash(request, refusal)
    return redirect(after(post))


def _toggle_reaction(request: AuthenticatedHttpRequest, post: Post) -> RuleError | None:
    """Toggle the reaction the form names; the refusal, if any (a bad form is one too)."""
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return RuleError(form_errors_as_text(form), code="invalid")
    try:
        actions.toggle_reaction(post=post, member=request.user, kind=form.cleaned_data["kind"])
    except RuleError as error:
        return error
    return None


@require_POST
@login_required
def solution(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = visible_post(request, pk)
    if not post.topic.may_mark_solution(request.user):
        raise PermissionDenied(_("Only the topic's author or a moderator can mark the solution."))
    try:
        topic = actions.mark_solution(post=post, member=request.user)
    except RuleError as error:
        flash(request, error)
    else:
        marked = topic.solution_id == post.pk
        messages.success(
            request,
            _("Marked as the solution.") if marked else _("The solution mark is removed."),
        )
    return redirect(after(post))


@require_POST
@login_required
def watch(request: AuthenticatedHtmxHttpRequest, pk: int) -> HttpResponse:
    """The topic's notification level (``level``; or ``watching`` on/off, as before)."""
    topic = visible_topic(request, pk)
    level = request.POST.get("level")
    if level is None:
        form = WatchForm(request.POST)
        if not form.is_valid():
            flash(request, form)
            return redirect(topic)
        level = "watching" if form.cleaned_data["watching"] else "normal"
    try:
        actions.set_topic_level(topic=topic, member=request.user, level=level)
    except RuleError as error:
        current = actions.effective_level(topic=topic, member=request.user)
        return level_refused(request, error, {"topic": topic}, current, after=topic)
    return level_saved(request, {"topic": topic}, level, after=topic)
