"""Flags from members, and the moderators' tools: topic and post moderation, the flag queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.models import User
from hearth.http import AuthenticatedHttpRequest
from hearth.rules import RuleError, add_to_form, flash

from .. import actions, pages
from ..forms import FlagForm, PostModerationForm, ResolveFlagsForm, TopicModerationForm
from ..models import FlagOutcome, Post, Topic
from ._access import after, moderator_required, visible_post, visible_topic


@require_http_methods(["GET", "POST"])
@login_required
def flag(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = visible_post(request, pk)
    if post.author_id == request.user.pk:
        raise PermissionDenied(_("You cannot flag your own post."))
    form = FlagForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            actions.flag_post(
                post=post,
                flagger=request.user,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except RuleError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Thank you: the moderators will take a look."))
            return redirect(after(post))
    return render(request, "forum/flag.html", {"form": form, "post": post, "topic": post.topic})


@require_POST
@moderator_required
def moderate_topic(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    topic = visible_topic(request, pk)
    form = TopicModerationForm(request.POST)
    if not form.is_valid():
        flash(request, form)
        return redirect(topic)
    try:
        done = _moderate_topic(topic, request.user, form.cleaned_data)
    except RuleError as error:
        flash(request, error)
    else:
        messages.success(request, done)
    return redirect(topic)


def _moderate_topic(topic: Topic, moderator: User, data: dict[str, Any]) -> str:
    """Do what the moderation form asks; say (in a sentence) what the topic is now."""
    action = data["action"]
    if action in ("pin", "unpin"):
        actions.set_pinned(topic=topic, moderator=moderator, pinned=action == "pin")
    elif action in ("lock", "unlock"):
        actions.set_locked(topic=topic, moderator=moderator, locked=action == "lock")
    elif action == "hide":
        actions.hide_topic(topic=topic, moderator=moderator, reason=data["reason"])
    elif action == "unhide":
        actions.unhide_topic(topic=topic, moderator=moderator)
    else:
        actions.move_topic(topic=topic, moderator=moderator, category=data["category"])
        return _("The topic is moved to %(category)s.") % {"category": topic.category.name}
    return {
        "pin": _("The topic is pinned."),
        "unpin": _("The topic is unpinned."),
        "lock": _("The topic is locked."),
        "unlock": _("The topic is unlocked."),
        "hide": _("The topic is hidden."),
        "unhide": _("The topic is visible again."),
    }[action]


@require_POST
@moderator_required
def moderate_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = visible_post(request, pk)
    form = PostModerationForm(request.POST)
    if not form.is_valid():
        flash(request, form)
        return redirect(after(post))
    hide = form.cleaned_data["action"] == "hide"
    try:
        if hide:
            actions.hide_post(post=post, moderator=request.user, reason=form.cleaned_data["reason"])
        else:
            actions.unhide_post(post=post, moderator=request.user)
    except RuleError as error:
        flash(request, error)
    else:
        messages.success(
            request, _("The post is hidden.") if hide else _("The post is visible again.")
        )
    return redirect(after(post))


@require_GET
@moderator_required
def flag_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "forum/flags.html", pages.flag_queue_page(request))


@require_POST
@moderator_required
def resolve_flags(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Any flagged post, as the queue lists them (not only those in view).
    post: Post = get_object_or_404(Post.objects.select_related("topic"), pk=pk)
    form = ResolveFlagsForm(request.POST)
    if not form.is_valid():
        flash(request, form)
        return redirect("forum:flags")
    outcome = form.cleaned_data["outcome"]
    try:
        closed = actions.resolve_flags(post=post, moderator=request.user, outcome=outcome)
    except RuleError as error:
        flash(request, error)
    else:
        messages.success(request, _resolved(outcome, closed))
    return redirect("forum:flags")


def _resolved(outcome: str, closed: int) -> str:
    """What the moderator is told once ``closed`` flags are resolved with ``outcome``."""
    if outcome == FlagOutcome.HIDDEN:
        return ngettext(
            "The post is hidden and %(n)d flag closed.",
            "The post is hidden and %(n)d flags closed.",
            closed,
        ) % {"n": closed}
    return ngettext("%(n)d flag dismissed.", "%(n)d flags dismissed.", closed) % {"n": closed}
