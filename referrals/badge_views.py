"""The public badge pages: the catalogue (/badges/) and who holds one (/badges/<key>/)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from referrals import badges

HOLDERS_PER_PAGE = 30


@require_GET
def badge_list(request: HttpRequest) -> HttpResponse:
    counts = badges.holder_counts()
    tiers = [
        {
            "key": tier,
            "label": label,
            "badges": [{"badge": badge, "holders": counts.get(badge.key, 0)} for badge in items],
        }
        for tier, label, items in badges.by_tier()
    ]
    mine: set[str] = set()
    if request.user.is_authenticated:
        mine = {badge.key for badge, _ in badges.badges_of(request.user)}
    return render(request, "referrals/badges.html", {"tiers": tiers, "mine": mine})


@require_GET
def badge_detail(request: HttpRequest, key: str) -> HttpResponse:
    badge = badges.get(key)
    if badge is None:
        raise Http404("No such badge.")
    page = Paginator(badges.holders(badge), HOLDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "referrals/badge_detail.html", {"badge": badge, "page": page})
