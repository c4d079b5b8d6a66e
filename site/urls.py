from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from hearth import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("search/", views.search, name="search"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("", include("community.urls")),
    path("", include("community.forum.urls")),
    path("", include("community.chat.urls")),
    path("", include("referrals.urls")),
    path("", include("blog.urls")),
]

if settings.DEBUG or settings.TESTING:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
else:
    from django.views.static import serve

    # Member uploads are re-encoded images under generated names; serve them directly
    # unless a front proxy does (set MEDIA_URL to its address).
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

urlpatterns += [path("", include(wagtail_urls))]

handler400 = "hearth.views.bad_request"
handler403 = "hearth.views.permission_denied"
handler404 = "hearth.views.page_not_found"
handler500 = "hearth.views.server_error"
