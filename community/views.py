from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import actions, cards, digest, trust
from community.actions import ModerationError
from community.forms import ModerateMemberForm, ProfileForm
from community.forum import page_cache
from community.models import MemberDay, Notification, User
from community.notifications import with_current_text
from hearth import kept_pages
from hearth.http import AuthenticatedHttpRequest
from hearth.rules import flash
from hearth.sections import render_sections


def _get_member(username: str) -> User:
    return get_object_or_404(User, username__iexact=username, is_active=True)


def _get_member_for_editing(request: AuthenticatedHttpRequest, username: str) -> User:
    member = _get_member(username)
    if request.user.pk != member.pk:
        raise PermissionDenied(_("Only the owner can edit a profile."))
    return member


# Everything a profile shows is retired with these kept-page generations: the forum's
# (activity, topics, badges, a new name or picture), the site's pages (guides) and the
# pages about members (the member saved, their level and days, their referral scores).
PROFILE_GENERATIONS = [
    page_cache.FORUM,
    page_cache.LISTINGS,
    kept_pages.SITE_PAGES,
    kept_pages.MEMBER_PAGES,
]
# At most this long, as the trust level also moves with time.
PROFILE_KEPT_SECONDS = 60


def _days_visited(member: User) -> int:
    """Days the member visited, kept until a new day retires the members' pages."""
    stamp = kept_pages.generation_stamp([kept_pages.MEMBER_PAGES])
    key = f"community:profile:days:{member.pk}:{stamp}"
    days = cache.get(key) if stamp else None
    if days is None:
        days = MemberDay.objects.filter(member=member).count()
        if stamp:
            cache.set(key, days, PROFILE_KEPT_SECONDS)
    return days


def _kept_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A profile page kept whole for visitors (hearth.kept_pages' rules)."""

    @functools.wraps(view)
    def serve(request: HttpRequest, username: str) -> HttpResponse:
        return kept_pages.served(
            request,
            lambda: kept_pages.page_key("community:profile", PROFILE_GENERATIONS, request),
            lambda: view(request, username),
            timeout=PROFILE_KEPT_SECONDS,
            parameters=(),
        )

    return serve


@require_GET
@_kept_for_visitors
def profile(request: HttpRequest, username: str) -> HttpResponse:
    member = _get_member(username)
    is_owner = request.user.pk == member.pk
    level = trust.trust_level(member)
    # A member may keep their activity for signed-in members only (as on their card).
    shown = cards.activity_shown(member, request.user)
    context = {
        "member": member,
        "is_owner": is_owner,
        "activity_shown": shown,
        "days_visited": _days_visited(member) if shown else None,
        "sections": render_sections("profile", request, member=member) if shown else [],
        "trust_level_name": trust.level_name(level),
        # What unlocks the next level is for the member alone.
        "next_unlock": trust.next_unlock(member) if is_owner else "",
    }
    if request.user.is_authenticated and request.user.is_moderator and not context["is_owner"]:
        context["moderate_form"] = ModerateMemberForm()
    return render(request, "community/profile.html", context)


@require_GET
def user_card(request: HttpRequest, username: str) -> HttpResponse:
    """The small card a click on a name opens (static/js/usercard.js fetches it)."""
    member = _get_member(username)
    viewer = request.user
    context = {
        "member": member,
        "facts": cards.card_facts(request, member),
        "activity_shown": cards.activity_shown(member, viewer),
        "message_url": cards.message_url(member.username)
        if viewer.is_authenticated and viewer.pk != member.pk
        else None,
    }
    # A fragment: without the page's context processors (the header's counts).
    response = HttpResponse(render_to_string("community/_user_card.html", context))
    # What it shows depends on who asks: never a shared cache's copy.
    patch_cache_control(response, private=True, max_age=cards.CACHE_SECONDS)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def my_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    return redirect("community:edit-profile", username=request.user.username)


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    member = _get_member_for_editing(request, username)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=member)
        if form.is_valid():
            form.save()
            actions.note_profile_saved(member=member)
            messages.success(request, _("Your profile is saved."))
            return redirect(member)
        # Never leave a half-edited object in memory for the rest of the request.
        member.refresh_from_db()
    else:
        form = ProfileForm(instance=member)
    return render(request, "community/edit_profile.html", {"form": form, "member": member})


# What the member reads after each verb (whole words, not "{action}ed").
_MODERATED = {"silence": "silenced", "suspend": "suspended"}


@login_required
@require_POST
def moderate_member(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    member = _get_member(username)
    if not request.user.is_moderator:  # before the form: nobody else learns anything here
        raise PermissionDenied(_("Only moderators can silence or suspend members."))
    form = ModerateMemberForm(request.POST)
    if not form.is_valid():
        flash(request, form)
        return redirect(member)
    try:
        messages.success(request, _moderate(member, request.user, form.cleaned_data))
    except ModerationError as error:
        flash(request, error)
    return redirect(member)


def _moderate(member: User, moderator: User, data: dict) -> str:
    """Lift, silence or suspend as the form chose; what to tell the moderator."""
    action = data["action"]
    reason = data["reason"].strip()
    if action == "lift":
        actions.unsuspend_member(member=member, moderator=moderator, reason=reason)
        return f"{member.name} may take part again."
    until = timezone.now() + timedelta(days=data["days"])
    verb = actions.suspend_member if action == "suspend" else actions.silence_member
    verb(
        member=member,
        moderator=moderator,
        until=until,
        reason=reason,
        canned_reason=data["rule"],
    )
    return f"{member.name} is {_MODERATED[action]} until {until:%d %b %Y}."


@login_required
@require_GET
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(
        Notification.objects.filter(recipient=request.user).select_related("actor"), 30
    ).get_page(request.GET.get("page"))
    items = with_current_text(page.object_list)
    return render(request, "community/notifications.html", {"page": page, "items": items})


@login_required
@require_GET
def open_notification(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    actions.mark_notifications_read(member=request.user, ids=[notification.pk])
    target = notification.url or "/notifications/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/notifications/"
    return HttpResponseRedirect(target)


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    actions.mark_notifications_read(member=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("community:notifications")


# A mail client's one-click unsubscribe (RFC 8058) posts without a CSRF token; the signed
# token in the address is what proves the request, and all it can do is stop digests.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        member_id = digest.read_unsubscribe_token(token)
        if request.method == "POST":
            digest.turn_digests_off(member_id=member_id)
    except digest.LinkInvalid:
        context = {"invalid": True}
        return render(request, "community/digest_unsubscribe.html", context, status=400)
    return render(request, "community/digest_unsubscribe.html", {"done": request.method == "POST"})
