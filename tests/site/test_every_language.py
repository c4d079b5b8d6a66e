"""Every page in every language Hearth offers: the same answers as in English, no page
that breaks on a translation, and no English sentence left on a translated page.

The walk is the permission table's (tests/site/test_permission_matrix.py): every route
of the site, as each persona, once per offered language other than English. A page that
answers 200 with HTML must say its language (``<html lang>``) and must not show any of
the catalog's English sentences that the language translates: one left means a string
that is not marked for translation, or a translation that is not used.
"""

from __future__ import annotations

import html
import re

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from community.moderation.models import CannedReason
from hearth.catalogs import catalog_path
from hearth.page_languages import prefix_language
from tests.site.test_permission_matrix import TABLE, _client, answer, build_world

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# The permission table checks every persona's answers in English; in the other languages a
# visitor, a member and a moderator see every kind of page there is.
PERSONAS = ("visitor", "member", "moderator")
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def _english_sentences(language: str) -> set[str]:
    """The catalog's whole English sentences (three words or more, nothing filled in)
    that the language says differently."""
    with catalog_path(language, "django").open("rb") as file:
        catalog = read_po(file)
    sentences = set()
    for message in catalog:
        if not message.id or message.pluralizable or not message.string:
            continue
        text = str(message.id)
        if any(mark in text for mark in ("%", "{", "<", "\n")) or len(text.split()) < 3:
            continue
        if message.string != text:
            sentences.add(text)
    return sentences


def _visible_text(content: str) -> str:
    return " ".join(html.unescape(TAGS.sub(" ", content)).split())


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES or [pytest.param("", marks=pytest.mark.skip)])
def test_every_page_answers_as_in_english_and_speaks_the_language(settings, language):
    if not language:
        pytest.skip("Only English is offered: no catalog is complete yet.")
    if connection.vendor != "sqlite":
        pytest.skip("Words, not the database: walked on the embedded database only.")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SHOP_WEBHOOK_SECRET = "a-secret-only-the-shop-knows"
    world = build_world()
    # The rules moderators cite are the community's own words, kept in the language staff
    # wrote them in (the admin edits them), like topics and posts.
    english = _english_sentences(language) - set(
        CannedReason.objects.values_list("title", flat=True)
    )
    wrong, untranslated = [], []
    for name, row in TABLE.items():
        for persona in PERSONAS:
            cache.clear()
            client = _client(world.users[persona])
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            url = row.url(world, persona)
            with transaction.atomic():
                if row.method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, row.data(world) if row.data else {})
                transaction.set_rollback(True)
            got = answer(response)
            if got != row.expect[persona]:
                wrong.append(f"{name} as {persona}: {got}, in English {row.expect[persona]}")
            content_type = response.get("Content-Type", "")
            if response.status_code != 200 or not content_type.startswith("text/html"):
                continue
            if url.startswith("/api/"):
                continue  # the API's own documentation, for developers
            content = response.content.decode()
            # A translated page's address says its language (/et/blog/…), whoever reads it.
            if (speaks := prefix_language(url)) and speaks != language:
                if f'<html lang="{speaks}"' not in content:
                    untranslated.append(f"{url} as {persona}: <html lang> is not {speaks}")
                continue
            if "<html" in content and f'<html lang="{language}"' not in content:
                untranslated.append(f"{url} as {persona}: <html lang> is not {language}")
            text = _visible_text(content)
            left = sorted(sentence for sentence in english if sentence in text)
            if left:
                untranslated.append(f"{url} as {persona}: {left}")
    assert not wrong, "\n".join(wrong)
    assert not untranslated, "\n".join(sorted(set(untranslated)))
