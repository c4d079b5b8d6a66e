"""Bookmarks: keep a topic or a post, with a reminder, and the member's list of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hearth.http import AuthenticatedHttpRequest
from hearth.params import parse_int
from hearth.rules import flash

from .. import actions
from ..forms import BookmarkForm
from ..models import Bookmark, Post, Topic
from ._access import after, visible_post, visible_topic

BOOKMARKS_PER_PAGE = 30


@require_POST
@login_required
def bookmark_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = visible_post(request, pk)
    return _keep(request, post.topic, post, back=after(post))


@require_POST
@login_required
def bookmark_topic(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    topic = visible_topic(request, pk)
    return _keep(request, topic, None, back=topic.get_absolute_url())


def _keep(
    request: AuthenticatedHttpRequest, topic: Topic, post: Post | None, *, back: str
) -> HttpResponse:
    """Save, change or remove the bookmark the form describes, then go back where the
    member was (their bookmarks list when they came from it)."""
    back = _next(request) or back
    form = BookmarkForm(request.POST)
    if not form.is_valid():
        flash(request, form)
        return redirect(back)
    if form.cleaned_data["remove"]:
        if actions.remove_bookmark(member=request.user, topic=topic, post=post):
            messages.success(
                request,
                _("The bookmark on this topic is removed.")
                if post is None
                else _("The bookmark on this post is removed."),
            )
        return redirect(back)
    when = form.cleaned_data["when"]
    actions.bookmark(member=request.user, topic=topic, post=post, remind_at=when)
    if when is None:
        messages.success(
            request,
            _("Bookmarked. Find this topic again under Bookmarks.")
            if post is None
            else _("Bookmarked. Find this post again under Bookmarks."),
        )
    else:
        messages.success(request, _("Bookmarked. We will remind you then."))
    return redirect(back)


def _next(request: AuthenticatedHttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
def bookmarks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's bookmarks, newest first, on what they may still read."""
    kept = (
        Bookmark.objects.of(request.user)
        .select_related("topic", "topic__category", "post", "post__author")
        .order_by("-created_at", "-pk")
    )
    paginator = Paginator(kept, BOOKMARKS_PER_PAGE)
    try:
        number = parse_int(request.GET.get("page") or "1")
    except ValueError:
        number = 1
    page = paginator.get_page(number)
    return render(
        request,
        "forum/bookmarks.html",
        {"page": page, "bookmarks": page.object_list, "form": BookmarkForm()},
    )
