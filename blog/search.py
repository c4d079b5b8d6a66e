"""Blog posts and guides in the site's one search (/search/)."""

from __future__ import annotations

from django.http import HttpRequest

from blog.models import BlogPage, GuidePage
from hearth.content_language import search_in_language
from hearth.kept_pages import SITE_PAGES
from hearth.search import SearchSource, register_search_source, search_language


def search_posts(query: str, request: HttpRequest):
    return BlogPage.objects.live().public().search(query)


def search_guides(query: str, request: HttpRequest):
    guides = GuidePage.objects.live().public()
    language = search_language(request)
    if language:
        # Members' guides carry their language: narrowed to one, matched with its own text
        # search configuration (hearth.content_language).
        return search_in_language(guides.filter(language=language), query, language)
    return guides.search(query)


def register() -> None:
    # Kept results are retired with the site's kept pages: publishing, unpublishing, moving
    # or deleting a page.
    generations = (SITE_PAGES,)
    register_search_source(
        SearchSource("blog", "Blog post", search=search_posts, generations=generations)
    )
    register_search_source(
        SearchSource("guides", "Guide", search=search_guides, generations=generations)
    )
