"""Languages: which ones the site offers (those with complete catalogs), how a reader's is
chosen (Accept-Language, the picker's cookie, a member's own choice beating both), kept
pages per language, the JavaScript catalog, plurals, money and dates in the reader's
locale, and emails in the member's language."""

from __future__ import annotations

import gettext
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import ngettext

from hearth import catalogs
from hearth.i18n import for_member, format_money, member_language
from tests.factories import make_member

pytestmark = pytest.mark.django_db

ENGLISH_ONLY = override_settings(LANGUAGES=[("en-gb", "English")])
ESTONIAN = override_settings(LANGUAGES=[("en-gb", "English"), ("et", "Estonian")])


@pytest.fixture(autouse=True)
def _english_after_each_test():
    yield
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()


def _po(path: Path, entries: str, *, plural_forms: str = "nplurals=2; plural=(n != 1);") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Plural-Forms: {plural_forms}\\n"\n\n{entries}',
        encoding="utf-8",
    )


# --- which languages are offered -------------------------------------------------------


def test_it_offers_english_and_each_language_whose_catalogs_are_complete(tmp_path):
    done = 'msgid "Reply"\nmsgstr "Vasta"\n'
    for domain in catalogs.DOMAINS:
        _po(catalogs.catalog_path("et", domain, tmp_path), done)
        _po(catalogs.catalog_path("uk", domain, tmp_path), done)
    # Latvian has one message left, Lithuanian one fuzzy, Ukrainian's are complete too.
    _po(catalogs.catalog_path("lv", "django", tmp_path), 'msgid "Reply"\nmsgstr ""\n')
    _po(catalogs.catalog_path("lv", "djangojs", tmp_path), done)
    _po(catalogs.catalog_path("lt", "django", tmp_path), '#, fuzzy\nmsgid "Reply"\nmsgstr "A"\n')
    _po(catalogs.catalog_path("lt", "djangojs", tmp_path), done)
    offered = [code for code, _name in catalogs.offered_languages(tmp_path)]
    assert offered == ["en-gb", "et", "uk"]


def test_a_language_with_one_catalog_missing_is_not_offered(tmp_path):
    _po(catalogs.catalog_path("et", "django", tmp_path), 'msgid "Reply"\nmsgstr "Vasta"\n')
    assert catalogs.offered_languages(tmp_path) == [catalogs.SOURCE_LANGUAGE]


def test_a_plural_with_one_form_left_is_untranslated(tmp_path):
    path = tmp_path / "x.po"
    _po(
        path,
        'msgid "%(n)d reply"\nmsgid_plural "%(n)d replies"\n'
        'msgstr[0] "%(n)d atsakymas"\nmsgstr[1] ""\nmsgstr[2] "%(n)d atsakymų"\n',
        plural_forms="nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);",
    )
    assert catalogs.progress(catalogs.read_catalog(path)) == catalogs.Progress(1, 1, 0)


def test_the_settings_offer_exactly_the_languages_with_complete_catalogs():
    assert catalogs.offered_languages() == settings.LANGUAGES
    assert settings.LANGUAGES[0] == ("en-gb", "English")
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.LOCALE_PATHS == [catalogs.LOCALE_DIR]


@pytest.mark.parametrize("language", [code for code, _name in catalogs.LANGUAGES])
@pytest.mark.parametrize("domain", catalogs.DOMAINS)
def test_the_catalog_of_every_offered_language_is_complete(language, domain):
    if language not in {code for code, _name in settings.LANGUAGES}:
        pytest.skip(f"{language} is not offered yet: its catalogs are being translated")
    path = catalogs.catalog_path(language, domain)
    if language == catalogs.SOURCE_LANGUAGE[0] and not path.exists():
        pytest.skip("English needs no catalog until `make messages` writes one")
    progress = catalogs.progress(catalogs.read_catalog(path))
    assert progress.complete, (
        f"{path}: {progress.untranslated} untranslated, {progress.fuzzy} fuzzy"
    )


def test_the_middleware_is_in_its_place():
    order = settings.MIDDLEWARE
    locale = order.index("django.middleware.locale.LocaleMiddleware")
    assert order.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < order.index("django.middleware.common.CommonMiddleware")
    member = order.index("hearth.middleware.MemberLocaleMiddleware")
    assert order.index("django.contrib.auth.middleware.AuthenticationMiddleware") < member


# --- plurals ---------------------------------------------------------------------------

# Lithuanian and Ukrainian say 1, 2, 5, 11, 21 and 22 of a thing with three different
# words; these messages and their forms come from Django's own catalogs.
DIGITS = (
    "Ensure that there are no more than %(max)s digit in total.",
    "Ensure that there are no more than %(max)s digits in total.",
)
MINUTES = ("%(num)d minute", "%(num)d minutes")
PLURALS = {
    "lt": (
        DIGITS,
        {
            1: "skaitmuo",
            2: "skaitmenys",
            5: "skaitmenys",
            11: "skaitmenų",
            21: "skaitmuo",
            22: "skaitmenys",
        },
    ),
    "uk": (
        MINUTES,
        {1: "хвилина", 2: "хвилини", 5: "хвилин", 11: "хвилин", 21: "хвилина", 22: "хвилини"},
    ),
}


@pytest.mark.parametrize("language", sorted(PLURALS))
def test_plurals_take_the_right_form_for_each_number(language):
    (singular, plural), words = PLURALS[language]
    with translation.override(language):
        for n, word in words.items():
            said = ngettext(singular, plural, n) % {"max": n, "num": n}
            assert f"{n}\xa0{word}" in said or f"{n} {word}" in said, (n, said)


LITHUANIAN_PLURALS = (
    "nplurals=4; plural=(n % 10 == 1 && (n % 100 > 19 || n % 100 < 11) ? 0 : "
    "(n % 10 >= 2 && n % 10 <=9) && (n % 100 > 19 || n % 100 < 11) ? 1 : n % 1 != 0 ? 2: 3);"
)
UKRAINIAN_PLURALS = (
    "nplurals=4; plural=(n % 1 == 0 && n % 10 == 1 && n % 100 != 11 ? 0 : n % 1 == 0 && "
    "n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? 1 : n % 1 == 0 && "
    "(n % 10 ==0 || (n % 10 >=5 && n % 10 <=9) || (n % 100 >=11 && n % 100 <=14 )) ? 2: 3);"
)


@pytest.mark.parametrize(
    ("language", "plural_forms", "forms", "expected"),
    [
        (
            "lt",
            LITHUANIAN_PLURALS,
            ("%(n)d atsakymas", "%(n)d atsakymai", "%(n)d atsakymo", "%(n)d atsakymų"),
            {1: 0, 2: 1, 5: 1, 11: 3, 21: 0, 22: 1},
        ),
        (
            "uk",
            UKRAINIAN_PLURALS,
            ("%(n)d відповідь", "%(n)d відповіді", "%(n)d відповідей", "%(n)d відповіді"),
            {1: 0, 2: 1, 5: 2, 11: 2, 21: 0, 22: 1},
        ),
    ],
)
def test_our_compiled_catalogs_keep_each_language_s_plural_rule(
    tmp_path, language, plural_forms, forms, expected
):
    """A catalog compiled by hearth.catalogs (no GNU gettext) picks the form the
    language's rule says, for a message of ours."""
    entries = 'msgid "%(n)d reply"\nmsgid_plural "%(n)d replies"\n' + "".join(
        f'msgstr[{i}] "{form}"\n' for i, form in enumerate(forms)
    )
    _po(tmp_path / language / "LC_MESSAGES" / "django.po", entries, plural_forms=plural_forms)
    assert catalogs.compile_catalogs(tmp_path)
    with (tmp_path / language / "LC_MESSAGES" / "django.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for n, index in expected.items():
        assert compiled.ngettext("%(n)d reply", "%(n)d replies", n) == forms[index], n


def test_compiling_skips_catalogs_already_compiled(tmp_path):
    _po(tmp_path / "et" / "LC_MESSAGES" / "django.po", 'msgid "Reply"\nmsgstr "Vasta"\n')
    assert len(catalogs.compile_catalogs(tmp_path)) == 1
    assert catalogs.compile_catalogs(tmp_path) == []


def test_english_catalogs_say_each_message_as_written(tmp_path):
    path = catalogs.catalog_path("en-gb", "django", tmp_path)
    _po(
        path,
        'msgid "Reply"\nmsgstr ""\n\nmsgid "%(n)d reply"\nmsgid_plural "%(n)d replies"\n'
        'msgstr[0] ""\nmsgstr[1] ""\n',
    )
    assert catalogs.fill_english(tmp_path) == [path]
    catalog = catalogs.read_catalog(path)
    assert catalogs.progress(catalog).complete
    assert catalog.get(("%(n)d reply", "%(n)d replies")).string == ("%(n)d reply", "%(n)d replies")


# --- choosing a language ----------------------------------------------------------------


@ENGLISH_ONLY
def test_a_visitor_reads_english_whatever_their_browser_asks_while_only_english_is_offered():
    response = Client().get("/forum/", HTTP_ACCEPT_LANGUAGE="et")
    assert response.status_code == 200
    assert response["Content-Language"] == "en-gb"
    assert '<html lang="en-gb">' in response.content.decode()


@ESTONIAN
def test_a_visitor_s_browser_language_is_used_when_offered():
    response = Client().get("/forum/", HTTP_ACCEPT_LANGUAGE="et,en;q=0.5")
    assert response["Content-Language"] == "et"
    assert '<html lang="et">' in response.content.decode()


@ESTONIAN
def test_the_picker_s_cookie_beats_the_browser():
    client = Client()
    response = client.get("/language/", {"language": "et", "next": "/forum/"})
    assert response.status_code == 302 and response["Location"] == "/forum/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "et"
    page = client.get("/forum/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "et"


@pytest.mark.parametrize("next_url", ["https://elsewhere.example/", "//elsewhere.example/", ""])
def test_the_picker_only_goes_back_to_this_site(next_url):
    response = Client().get("/language/", {"language": "en-gb", "next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_picker_ignores_a_language_not_offered():
    response = Client().get("/language/", {"language": "xx", "next": "/forum/"})
    assert response.status_code == 302 and response["Location"] == "/forum/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@ENGLISH_ONLY
def test_the_picker_is_hidden_while_one_language_is_offered():
    page = Client().get("/forum/").content.decode()
    assert "language-picker" not in page


@ESTONIAN
def test_a_visitor_s_picker_is_a_get_form_without_a_csrf_token():
    page = Client().get("/forum/").content.decode()
    picker = page[page.index('<form class="language-picker"') :]
    picker = picker[: picker.index("</form>")]
    assert 'method="get"' in picker and 'action="/language/"' in picker
    assert "csrfmiddlewaretoken" not in picker
    assert 'value="et"' in picker and 'name="next" value="/forum/"' in picker
    assert "<label" in picker and "eesti" in picker


@ESTONIAN
def test_a_member_s_picker_saves_their_language(member, member_client):
    page = member_client.get("/forum/").content.decode()
    picker = page[page.index('<form class="language-picker"') :]
    assert 'method="post"' in picker[: picker.index("</form>")]
    response = member_client.post("/language/", {"language": "et", "next": "/forum/"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "et"


@ESTONIAN
def test_a_member_s_own_language_beats_the_cookie_and_the_browser(member, member_client):
    member.language = "et"
    member.save(update_fields=["language"])
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    response = member_client.get("/forum/", HTTP_ACCEPT_LANGUAGE="en-gb")
    assert response["Content-Language"] == "et"
    assert '<html lang="et">' in response.content.decode()


@ESTONIAN
def test_a_member_without_a_language_of_their_own_gets_their_browser_s(member, member_client):
    response = member_client.get("/forum/", HTTP_ACCEPT_LANGUAGE="et")
    assert response["Content-Language"] == "et"


def test_a_member_s_time_zone_is_theirs_in_their_requests(member, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from hearth.middleware import MemberLocaleMiddleware

    member.time_zone = "Europe/Tallinn"
    seen = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    middleware = MemberLocaleMiddleware(view)
    request = rf.get("/forum/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "x"
    request.user = member
    middleware(request)
    visitor = rf.get("/forum/")
    visitor.user = AnonymousUser()
    middleware(visitor)
    assert seen == ["Europe/Tallinn", settings.TIME_ZONE]


@ESTONIAN
def test_the_profile_form_offers_the_languages_and_checks_the_time_zone(member):
    from community.forms import ProfileForm

    form = ProfileForm(instance=member)
    assert [code for code, _ in form.fields["language"].choices] == ["", "en-gb", "et"]
    form = ProfileForm({"language": "et", "time_zone": "Mars/Olympus"}, instance=member)
    assert not form.is_valid() and "time_zone" in form.errors
    form = ProfileForm({"language": "xx"}, instance=member)
    assert not form.is_valid() and "language" in form.errors


@ENGLISH_ONLY
def test_the_profile_form_has_no_language_to_choose_while_only_english_is_offered(member):
    from community.forms import ProfileForm

    assert "language" not in ProfileForm(instance=member).fields


# --- kept pages per language ------------------------------------------------------------


def _visit(client: Client, path: str, **headers) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    return response, len(queries.captured_queries)


@ESTONIAN
@pytest.mark.parametrize("path", ["/", "/forum/"])
def test_a_page_kept_in_one_language_is_never_handed_to_a_reader_of_another(path):
    english, _ = _visit(Client(), path, HTTP_ACCEPT_LANGUAGE="en")
    kept_english, queries = _visit(Client(), path, HTTP_ACCEPT_LANGUAGE="en")
    assert queries == 0 and kept_english.content == english.content  # kept for English
    estonian, queries = _visit(Client(), path, HTTP_ACCEPT_LANGUAGE="et")
    assert queries > 0  # rendered afresh, not the English page
    assert estonian["Content-Language"] == "et" and '<html lang="et">' in estonian.content.decode()
    kept_estonian, queries = _visit(Client(), path, HTTP_ACCEPT_LANGUAGE="et")
    assert queries == 0 and kept_estonian.content == estonian.content
    assert kept_estonian["Content-Language"] == "et"
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "et"
    by_cookie, queries = _visit(client, path, HTTP_ACCEPT_LANGUAGE="en")
    assert queries == 0 and by_cookie.content == estonian.content


@pytest.mark.parametrize("path", ["/", "/forum/"])
def test_kept_pages_say_their_language_and_what_it_depends_on(path):
    for _ in range(2):  # rendered, then kept
        response = Client().get(path)
        assert response["Content-Language"] == "en-gb"
        vary = {v.strip().lower() for v in response["Vary"].split(",")}
        assert {"accept-language", "cookie"} <= vary


# --- the JavaScript catalog -------------------------------------------------------------


def test_the_javascript_catalog_loads_before_the_other_scripts():
    page = Client().get("/forum/").content.decode()
    scripts = [part.split('"', 1)[0] for part in page.split('<script src="')[1:]]
    assert scripts[0].startswith("/jsi18n/?l=en-gb&amp;v=")


def test_the_javascript_catalog_is_rendered_once_per_deploy_and_language(member_client):
    page = Client().get("/forum/").content.decode()
    url = page.split('<script src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    first = Client().get(url)
    assert first.status_code == 200 and first["Content-Type"].startswith("text/javascript")
    assert b"django.gettext" in first.content or b"gettext" in first.content
    assert "max-age=31536000" in first["Cache-Control"]
    again = member_client.get(url)  # the same for members
    assert again.status_code == 200 and again.content == first.content
    stale = Client().get("/jsi18n/?v=old")
    assert "max-age=300" in stale["Cache-Control"]
    assert not first.cookies


# --- emails, money and dates ------------------------------------------------------------


@ESTONIAN
def test_for_member_renders_in_the_member_s_language_and_time_zone(db):
    member = make_member(username="kati", language="et", time_zone="Europe/Tallinn")
    with for_member(member) as language:
        assert language == "et" == translation.get_language()
        assert timezone.get_current_timezone_name() == "Europe/Tallinn"
    assert translation.get_language() == "en-gb"


@ENGLISH_ONLY
def test_a_language_no_longer_offered_falls_back_to_english(db):
    member = make_member(username="kati", language="et")
    assert member_language(member) == "en-gb"


@ESTONIAN
def test_the_digest_is_written_in_the_member_s_language(monkeypatch):
    from community import digest

    member = make_member(username="kati", language="et")
    seen = []
    monkeypatch.setattr(digest, "parts_for", lambda member, since: ["something"])

    def render(member, parts, *, since):
        seen.append(translation.get_language())
        return "subject", "text", "html"

    monkeypatch.setattr(digest, "render_digest", render)
    assert digest.send_digest(member=member, now=timezone.now())
    assert seen == ["et"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en-gb", "€1,234.50"), ("et", "1 234,50 €"), ("lt", "1 234,50 €"), ("lv", "1 234,50 €")],
)
def test_money_reads_as_the_language_writes_it(language, expected):
    with translation.override(language):
        said = format_money(Decimal("1234.50"))
    assert said.replace("\xa0", " ").replace("\u202f", " ") == expected


def test_the_money_filter_takes_anything_without_failing():
    from hearth.templatetags.hearth_i18n import money

    assert money(Decimal("3.5")) == "€3.50"
    assert money("junk") == "junk" and money(None) == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [("et", "29. november 2026"), ("en-gb", "29 Nov 2026")],
)
def test_dates_read_as_the_language_writes_them(language, expected):
    with translation.override(language):
        assert date_format(date(2026, 11, 29), "DATE_FORMAT") == expected


def test_an_unknown_time_zone_is_refused(db):
    from django.core.exceptions import ValidationError

    member = make_member(username="kati")
    member.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError):
        member.full_clean(validate_unique=False, exclude=["password"])


@pytest.mark.parametrize(
    ("language", "full", "short"),
    [
        ("en-gb", "29 November 2025", "29 Nov 2025"),
        ("et", "29. november 2025", "29. november 2025"),
        ("uk", "29 листопада 2025 р.", "29 листопада 2025 р."),
    ],
)
def test_the_site_s_dates_follow_the_reader_s_language(language, full, short):
    from hearth.templatetags.hearth_time import when

    with translation.override(language):
        said = when(date(2025, 11, 29), "date")
    assert f'title="{full}"' in said and f">{short}</time>" in said


def test_a_deploy_with_new_translations_keeps_nothing_rendered_with_the_old_ones(monkeypatch):
    # Kept pages and fragments carry the catalogs' version in their keys: after a deploy
    # that only changes translations, no page or fragment kept with the old words is found.
    from django.test import RequestFactory

    from hearth import i18n, kept_pages

    request = RequestFactory().get("/forum/")
    before = kept_pages.page_key("page", [kept_pages.SITE_PAGES], request)
    monkeypatch.setattr(i18n, "_catalogs_version", "a-new-deploy")
    after = kept_pages.page_key("page", [kept_pages.SITE_PAGES], request)
    assert before and after and before != after
    assert "a-new-deploy" in i18n.reader_locale()
