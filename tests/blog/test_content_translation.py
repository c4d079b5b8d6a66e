"""Brand blog posts and pages in more than one language (Wagtail's i18n, hearth.page_languages):
a translation at its own address under its language's prefix, in that language; the English
page unchanged at its address whatever the reader reads in; hreflang and "Read this in"
links only while a translation is live; the feeds and the sitemap per language; kept pages
and fragments never handing one language's page to another's address."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import Locale

from blog import demo
from blog.models import BlogIndexPage, BlogPage
from community import demo as people
from tests.blog.factories import make_post
from tests.blog.translation_factories import translate

pytestmark = pytest.mark.django_db

ESTONIAN = "Sügisene leib ilma kiirustamata"
UKRAINIAN = "Осінній хліб без поспіху"


def _html(client: Client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


def _reader(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def _switch(html: str) -> list[tuple[str, str, str]]:
    """The "Read this in" links: (address, lang, name)."""
    nav = re.search(r'<nav class="page-languages".*?</nav>', html, re.DOTALL)
    if nav is None:
        return []
    return re.findall(
        r'<a href="([^"]+)" hreflang="[^"]+" lang="([^"]+)">([^<]+)</a>', nav.group(0)
    )


@pytest.fixture
def post() -> BlogPage:
    return make_post("Autumn bread", tags=("bread",))


def test_it_has_a_locale_for_every_offered_language():
    codes = set(Locale.objects.values_list("language_code", flat=True))
    assert {code for code, _name in settings.LANGUAGES} <= codes


def test_a_translation_is_served_at_its_own_address_in_its_language(visitor_client, post):
    estonian = translate(post, "et", title=ESTONIAN, intro="Leib, mis võtab aega.")
    assert estonian.url == f"/et/blog/{post.slug}/"
    response = visitor_client.get(estonian.url)
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "et"
    assert '<html lang="et">' in html
    assert f"<h1>{ESTONIAN}</h1>" in html  # in the interface's language: <html lang="et">
    assert "Autumn bread</h1>" not in html


def test_the_english_page_keeps_its_address_and_words_for_a_reader_of_estonian(post):
    translate(post, "et", title=ESTONIAN)
    html = _html(_reader("et"), f"/blog/{post.slug}/")
    # The interface is the reader's; the post is the English one, and says so.
    assert '<html lang="et">' in html
    assert '<h1 lang="en-gb">Autumn bread</h1>' in html
    assert ESTONIAN not in html.split("<main", 1)[1].split('<nav class="page-languages"')[0]
    assert "/blog/" in _html(_reader("et"), "/blog/")


def test_a_member_who_reads_estonian_gets_the_english_page_at_its_address(member, post):
    member.language = "et"
    member.save(update_fields=["language"])
    client = Client()
    client.force_login(member)
    translate(post, "uk", title=UKRAINIAN)
    assert '<h1 lang="en-gb">Autumn bread</h1>' in _html(client, post.url)
    html = _html(client, f"/uk/blog/{post.slug}/")
    assert '<html lang="uk">' in html and f"<h1>{UKRAINIAN}</h1>" in html


def test_a_page_without_translations_shows_no_languages(visitor_client, post):
    html = _html(visitor_client, post.url)
    assert _alternates(html) == {}
    assert "page-languages" not in html


def test_hreflang_and_switch_links_name_each_live_translation(visitor_client, post):
    translate(post, "et", title=ESTONIAN)
    translate(post, "uk", title=UKRAINIAN)
    root = post.get_site().root_url
    html = _html(visitor_client, post.url)
    alternates = _alternates(html)
    assert alternates["en-gb"] == alternates["x-default"] == f"{root}/blog/{post.slug}/"
    assert alternates["et"] == f"{root}/et/blog/{post.slug}/"
    assert alternates["uk"] == f"{root}/uk/blog/{post.slug}/"
    assert _switch(html) == [
        (f"/et/blog/{post.slug}/", "et", "Eesti"),
        (f"/uk/blog/{post.slug}/", "uk", "Українська"),
    ]
    estonian = _html(visitor_client, f"/et/blog/{post.slug}/")
    assert _alternates(estonian) == alternates
    assert [name for _url, _lang, name in _switch(estonian)] == ["English", "Українська"]


def test_an_unpublished_translation_is_not_linked_and_not_found(visitor_client, editor, post):
    translate(post, "et", title=ESTONIAN, publish=False)
    assert "page-languages" not in _html(visitor_client, post.url)
    assert _alternates(_html(visitor_client, post.url)) == {}
    _html(visitor_client, f"/et/blog/{post.slug}/", status=404)
    editor_client = Client()
    editor_client.force_login(editor)
    _html(editor_client, f"/et/blog/{post.slug}/", status=404)


def test_unpublishing_a_translation_takes_its_links_down_at_once(visitor_client, post):
    estonian = translate(post, "et", title=ESTONIAN)
    assert _switch(_html(visitor_client, post.url))
    estonian.unpublish()
    html = _html(visitor_client, post.url)
    assert _switch(html) == [] and _alternates(html) == {}
    _html(visitor_client, f"/et/blog/{post.slug}/", status=404)


def test_a_draft_of_a_translation_is_not_shown(visitor_client, post):
    estonian = translate(post, "et", title=ESTONIAN)
    translate(estonian, "et", title="Mustand, mida keegi ei tohi näha", publish=False)
    html = _html(visitor_client, estonian.url)
    assert ESTONIAN in html and "Mustand" not in html


def test_an_untranslated_post_has_no_address_in_another_language(visitor_client, post):
    other = make_post("Rye in winter")
    translate(post, "et", title=ESTONIAN)
    _html(visitor_client, f"/et/blog/{other.slug}/", status=404)
    _html(visitor_client, f"/lv/blog/{post.slug}/", status=404)


def test_the_home_page_lists_each_post_once_in_english(visitor_client, post):
    translate(post, "et", title=ESTONIAN)
    translate(post, "uk", title=UKRAINIAN)
    html = _html(_reader("et"), "/")
    assert "Autumn bread" in html and ESTONIAN not in html and UKRAINIAN not in html


# --- kept pages and fragments ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_kept_pages_never_hand_one_language_to_another_address(who, member, post):
    translate(post, "et", title=ESTONIAN)
    client = Client()
    if who == "member":
        client.force_login(member)
    for _ in range(2):  # the second round is served from what the first kept
        english = _html(client, post.url)
        estonian = _html(client, f"/et/blog/{post.slug}/")
        assert "<h1>Autumn bread</h1>" in english and ESTONIAN + "</h1>" not in english
        assert f"<h1>{ESTONIAN}</h1>" in estonian and "Autumn bread</h1>" not in estonian


def test_related_posts_are_in_the_pages_own_language(visitor_client, post):
    """Translations share their tags: the English post must not recommend its own
    Estonian translation. Needs BlogPage.related_posts to keep to self.locale (blog/models.py)."""
    make_post("Rye in winter", tags=("bread",))
    translate(post, "et", title=ESTONIAN)
    english = _html(visitor_client, post.url)
    related = english.split('id="related-heading"', 1)[1]
    assert "Rye in winter" in related and ESTONIAN not in related


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_publishing_a_translation_shows_its_hreflang_on_the_kept_english_page(who, member, post):
    client = Client()
    if who == "member":
        client.force_login(member)
    _html(client, post.url)
    assert _alternates(_html(client, post.url)) == {}  # kept
    translate(post, "et", title=ESTONIAN)
    html = _html(client, post.url)
    assert "et" in _alternates(html)
    assert (f"/et/blog/{post.slug}/", "et", "Eesti") in _switch(html)


# --- feeds and the sitemap ----------------------------------------------------------------------


def test_each_language_has_its_own_feed(visitor_client, post):
    index = BlogIndexPage.objects.get(locale__language_code=settings.LANGUAGE_CODE)
    translate(index, "et", title="Blogi")
    translate(post, "et", title=ESTONIAN)
    english = _html(_reader("et"), "/blog/feed/rss/")
    assert "<title>Autumn bread</title>" in english and ESTONIAN not in english
    assert "<language>en-gb</language>" in english
    estonian = _html(visitor_client, "/et/blog/feed/rss/")
    assert f"<title>{ESTONIAN}</title>" in estonian and "Autumn bread" not in estonian
    assert "<language>et</language>" in estonian
    assert f"/et/blog/{post.slug}/" in estonian
    atom = _html(visitor_client, "/et/blog/feed/atom/")
    assert ESTONIAN in atom
    listing = _html(visitor_client, "/et/blog/")
    assert (
        '<link rel="alternate" type="application/rss+xml"' in listing
        and 'href="/et/blog/feed/rss/"' in listing
    )
    assert ESTONIAN in listing and "Autumn bread" not in listing
    assert ("/blog/", "en-gb", "English") in _switch(listing)


def test_the_sitemap_lists_translations_with_their_alternates(visitor_client, post):
    make_post("Rye in winter")
    translate(post, "et", title=ESTONIAN)
    xml = _html(visitor_client, "/sitemap.xml")
    root = post.get_site().root_url
    english = f"{root}/blog/{post.slug}/"
    estonian = f"{root}/et/blog/{post.slug}/"
    assert f"<loc>{english}</loc>" in xml and f"<loc>{estonian}</loc>" in xml
    entries = re.findall(r"<url>(.*?)</url>", xml, re.DOTALL)
    for loc in (english, estonian):
        entry = next(e for e in entries if f"<loc>{loc}</loc>" in e)
        assert f'hreflang="en-gb" href="{english}"' in entry
        assert f'hreflang="et" href="{estonian}"' in entry
        assert f'hreflang="x-default" href="{english}"' in entry
    rye = next(e for e in entries if "rye-in-winter" in e)
    assert "xhtml:link" not in rye
    # The parents mirrored into Estonian untranslated (aliases) repeat the English pages.
    assert f"<loc>{root}/et/</loc>" not in xml


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_has_translated_posts_and_a_second_run_changes_nothing(visitor_client):
    out = io.StringIO()
    people.load(stdout=out)
    demo.load(stdout=out)
    translated = BlogPage.objects.live().exclude(locale__language_code=settings.LANGUAGE_CODE)
    languages = set(translated.values_list("locale__language_code", flat=True))
    assert {"et", "uk"} <= languages
    counts = (BlogPage.objects.count(), BlogIndexPage.objects.count())
    titles = sorted(translated.values_list("title", flat=True))
    demo.load(stdout=out)
    assert (BlogPage.objects.count(), BlogIndexPage.objects.count()) == counts
    assert sorted(translated.values_list("title", flat=True)) == titles
    for page in translated:
        html = _html(visitor_client, page.url)
        assert f'<html lang="{page.locale.language_code}">' in html and page.title in html
        english = page.get_translation(Locale.get_default())
        assert (page.url, page.locale.language_code) in {
            (url, lang) for url, lang, _name in _switch(_html(visitor_client, english.url))
        }
    assert "Blogi" in _html(visitor_client, "/et/blog/")


# --- the editor's way: "Translate this page" ---------------------------------------------------


def test_an_editor_translates_a_page_in_the_admin(editor_client, visitor_client, post):
    screen = f"/admin/localize/submit/page/{post.pk}/"
    assert editor_client.get(screen).status_code == 200
    estonian = Locale.objects.get(language_code="et")
    response = editor_client.post(screen, {"locales": [estonian.pk]})
    assert response.status_code == 302
    assert BlogPage.objects.filter(translation_key=post.translation_key, locale=estonian).exists()
    # Until the editor publishes it, nobody reads it and nothing links to it.
    assert "page-languages" not in _html(visitor_client, post.url)


def test_a_member_cannot_reach_the_translation_screen(member_client, post):
    response = member_client.get(f"/admin/localize/submit/page/{post.pk}/")
    assert response.status_code in (302, 403)
