from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from hearth import kept_pages, page_languages, sitemaps, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("jsi18n/", views.javascript_catalog, name="javascript-catalog"),
    path("language/", views.choose_language, name="choose-language"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("search/", views.search, name="search"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("", include("community.urls")),
    path("", include("community.forum.urls")),
    path("", include("community.chat.urls")),
    path("", include("community.conversations.urls")),
    path("", include("community.moderation.urls")),
    path("", include("survey.urls")),
    path("", include("recognition.urls")),
    path("", include("referrals.urls")),
    path("", include("blog.urls")),
]

if settings.MEDIA_URL.startswith("/"):
    # Member uploads are re-encoded images under generated names, safe to serve as they
    # are; a front proxy or object storage can take over by pointing MEDIA_URL at it.
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media)]

# Wagtail's own patterns, with its page view serving visitors kept pages (kept_pages.py)
# and routing in the tree of the address's language: English pages at their addresses as
# ever, translations under their language's prefix, /et/blog/<slug>/ (page_languages.py).
urlpatterns += [
    URLResolver(
        # A pattern of its own, not Django's LocalePrefixPattern: that one makes the locale
        # middleware force English on every unprefixed address (page_languages.py).
        page_languages.ContentLanguagePrefix(),  # type: ignore[arg-type]
        [
            re_path(
                pattern.pattern.regex.pattern,
                kept_pages.site_pages(page_languages.serve_in_address_language(pattern.callback)),
                name=pattern.name,
            )
            if isinstance(pattern, URLPattern) and pattern.name == "wagtail_serve"
            else pattern
            for pattern in wagtail_urls.urlpatterns
        ],
    )
]

handler400 = "hearth.views.bad_request"
handler403 = "hearth.views.permission_denied"
handler404 = "hearth.views.page_not_found"
handler500 = "hearth.views.server_error"
