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
from community.digest import ITEMS_PER_PART, DigestItem, DigestPart, absolute, register_part
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


@register_part(order=20)
def digest_reading(member, since):
    """New blog posts and guides since the member's last visit."""
    posts = list(
        BlogPage.objects.live()
        .public()
        .filter(first_published_at__gte=since)
        .order_by("-first_published_at", "-pk")[:ITEMS_PER_PART]
    )
    guides = list(
        GuidePage.objects.live()
        .public()
        .filter(first_published_at__gte=since)
        .exclude(author=member)
        .select_related("author")
        .order_by("-first_published_at", "-pk")[:ITEMS_PER_PART]
    )
    items = [DigestItem(post.title, absolute(post.url or ""), "From the blog") for post in posts]
    items += [
        DigestItem(
            guide.title,
            absolute(guide.url or ""),
            f"A guide by {guide.author.name}" if guide.author else "A guide",
        )
        for guide in guides
    ]
    if not items:
        return None
    return DigestPart("New to read", tuple(items[: ITEMS_PER_PART * 2]))
