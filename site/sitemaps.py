"""/sitemap.xml: every live, public page in every language, each listed with its other
languages' addresses (``<xhtml:link rel="alternate" hreflang="…">``) and an x-default (the
English one) when it has a translation (docs/i18n.md, "Translating pages")."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap

from hearth.page_languages import content_languages, default_language


class TranslatedPagesSitemap(Sitemap):
    """Wagtail's sitemap lists the site's home page and what is below it: here the home
    page of every language and what is below each. Aliases (pages mirrored into another
    language's tree untranslated) are left out: they repeat the English page."""

    def items(self):
        from wagtail.models import Page

        site = self.get_wagtail_site()
        roots = site.root_page.get_translations(inclusive=True).live()
        under_a_root = Q()
        for root in roots:
            under_a_root |= Q(path__startswith=root.path)
        return (
            Page.objects.filter(under_a_root, alias_of__isnull=True)
            .live()
            .public()
            .order_by("path")
            .defer_streamfields()
            .specific()
        )

    def _urls(self, page: int, protocol: str, domain: str) -> list[dict[str, Any]]:
        # Wagtail's own loop, with each page's other languages added to its addresses.
        items = list(self.paginator.page(page).object_list)
        alternates = self._alternates(items)
        urls = []
        last_mods = set()
        for item in items:
            for url_info in item.get_sitemap_urls(self.request):
                if url_info.get("location") == item.get_full_url(self.request):
                    url_info.setdefault("alternates", alternates.get(item.translation_key, []))
                urls.append(url_info)
                last_mods.add(url_info.get("lastmod"))
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls

    def _alternates(self, items: list[Any]) -> dict[Any, list[dict[str, str]]]:
        """Per translation key, every live version's language and address, and the
        x-default, for the pages that have more than one."""
        from wagtail.models import Page

        keys = {item.translation_key for item in items}
        versions: dict[Any, dict[str, str]] = defaultdict(dict)
        for version in (
            Page.objects.filter(translation_key__in=keys, alias_of__isnull=True)
            .live()
            .public()
            .select_related("locale")
        ):
            full_url = version.get_full_url(self.request)
            if full_url:
                versions[version.translation_key][version.locale.language_code] = full_url
        order = content_languages()
        alternates = {}
        for key, found in versions.items():
            if len(found) < 2:
                continue
            listed = [
                {"lang_code": code, "location": found[code]} for code in order if code in found
            ]
            if default_language() in found:
                listed.append({"lang_code": "x-default", "location": found[default_language()]})
            alternates[key] = listed
        return alternates


SITEMAPS = {"wagtail": TranslatedPagesSitemap}
