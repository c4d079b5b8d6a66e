"""The blog's slots on shared pages: the home page and the public profile."""

from __future__ import annotations

from blog.models import (
    BlogIndexPage,
    BlogPage,
    GuideIndexPage,
    GuidePage,
    live_guides_crediting,
    with_card_prefetches,
)
from hearth.sections import register_section

HOME_POSTS = 3
HOME_GUIDES = 4
PROFILE_GUIDES = 12


@register_section("home", order=10)
def latest_posts(request, **kwargs):
    posts = list(
        with_card_prefetches(
            BlogPage.objects.live().public().order_by("-date", "-pk"), "hero_image"
        )[:HOME_POSTS]
    )
    if not posts:
        return None
    return "blog/sections/home_posts.html", {
        "posts": posts,
        "index": BlogIndexPage.objects.live().first(),
    }


@register_section("home", order=20)
def new_guides(request, **kwargs):
    guides = list(
        GuidePage.objects.live()
        .public()
        .select_related("author")
        .order_by("-first_published_at", "-pk")[:HOME_GUIDES]
    )
    if not guides:
        return None
    return "blog/sections/home_guides.html", {
        "guides": guides,
        "index": GuideIndexPage.objects.live().first(),
    }


@register_section("profile", order=20)
def member_guides(request, *, member, **kwargs):
    guides = list(live_guides_crediting(member).select_related("author")[:PROFILE_GUIDES])
    is_owner = request.user.is_authenticated and request.user.pk == member.pk
    if not guides and not is_owner:
        return None
    return "blog/sections/profile_guides.html", {
        "guides": guides,
        "member": member,
        "is_owner": is_owner,
    }
