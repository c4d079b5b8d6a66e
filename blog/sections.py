"""The blog's slots on shared pages: the home page and the public profile."""

from __future__ import annotations

from django.conf import settings
from django.template import loader
from django.utils.translation import gettext as _

from blog import fragments
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
KEPT_SECTION = "blog/sections/kept.html"


def _latest_posts():
    # The English posts, each once: a translation lives on its own language's blog
    # (hearth.page_languages).
    english = {"locale__language_code": settings.LANGUAGE_CODE}
    posts = list(
        with_card_prefetches(
            BlogPage.objects.live().public().filter(**english).order_by("-date", "-pk"),
            "hero_image",
        )[:HOME_POSTS]
    )
    if not posts:
        return None
    return "blog/sections/home_posts.html", {
        "posts": posts,
        "index": BlogIndexPage.objects.live().filter(**english).first(),
    }


def _new_guides():
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


def _kept_section(request, name: str, gather) -> tuple[str, dict] | None:
    """A home section the same for every reader, rendered once and kept (blog.fragments):
    its queries run only when it is rendered anew."""

    def render() -> str:
        found = gather()
        if found is None:
            return ""
        template_name, context = found
        # No context processors: the cards show nothing about the reader.
        return loader.get_template(template_name).render({"section": context, "request": request})

    fragment_key = fragments.key(
        f"home:{name}", request, fragments.template_version(f"blog/sections/home_{name}.html")
    )
    html = fragments.kept(fragment_key, render)
    return (KEPT_SECTION, {"html": html}) if html else None


@register_section("home", order=10)
def latest_posts(request, **kwargs):
    return _kept_section(request, "posts", _latest_posts)


@register_section("home", order=20)
def new_guides(request, **kwargs):
    return _kept_section(request, "guides", _new_guides)


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
        .filter(first_published_at__gte=since, locale__language_code=settings.LANGUAGE_CODE)
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
    items = [DigestItem(post.title, absolute(post.url or ""), _("From the blog")) for post in posts]
    items += [
        DigestItem(
            guide.title,
            absolute(guide.url or ""),
            _("A guide by %(name)s") % {"name": guide.author.name}
            if guide.author
            else _("A guide"),
        )
        for guide in guides
    ]
    if not items:
        return None
    return DigestPart(_("New to read"), tuple(items[: ITEMS_PER_PART * 2]))
