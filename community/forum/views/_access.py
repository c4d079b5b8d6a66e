"""Who may open what, for the views: the visibility rule is the models' (visible_to); these
helpers turn its answer into the page, a 404, a sign-in redirect or a 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from hearth.access import sign_in_for_members
from hearth.http import AuthenticatedHttpRequest

from ..models import Post, Topic

View = Callable[..., HttpResponse]


def moderator_required(view: View) -> View:
    """Visitors are sent to sign in (login_required); members who are not moderators get 403."""

    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_moderator:
            raise PermissionDenied(_("Only moderators can do that."))
        return view(request, *args, **kwargs)

    return wrapper


def sign_in_or_404(request: HttpRequest, members_see: QuerySet[Any]) -> HttpResponse:
    """What to answer when the reader may not open something: a visitor asking for what
    signed-in members see (``members_see`` is not empty) is sent to sign in; anyone else
    gets a 404, so hidden things stay unknown."""
    if not request.user.is_authenticated and members_see.exists():
        return sign_in_for_members(request)
    raise Http404("Not found.")


def visible_topic(request: HttpRequest, pk: int) -> Topic:
    topics = Topic.objects.visible_to(request.user).select_related("category", "author")
    return get_object_or_404(topics, pk=pk)


def visible_post(request: HttpRequest, pk: int) -> Post:
    """A post whose words the reader may read."""
    posts = Post.objects.visible_to(request.user)
    return get_object_or_404(posts.select_related("topic", "topic__category", "author"), pk=pk)


def reachable_post(request: HttpRequest, pk: int) -> Post:
    """A post whose place the reader may reach (hidden ones show a placeholder there)."""
    posts = Post.objects.reachable_by(request.user)
    return get_object_or_404(posts.select_related("topic", "topic__category", "author"), pk=pk)


def after(post: Post) -> str:
    """Where to go after doing something to a post: its place in its topic."""
    return post.topic.post_url(post.number)
