"""A member's guide stays in the language it was written in: the writer's interface language
unless they pick another, labelled on cards and on the page where it is not the reader's,
and marked with ``lang`` so screen readers say it right."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from blog.models import GuidePage
from tests.blog.factories import published_guide, write_guide

pytestmark = pytest.mark.django_db

ESTONIAN_LABEL = '<span lang="et">Eesti</span>'
BODY = "Leib vajab aega.\n\n## Sammud\n\n1. Sega\n2. Oota\n\n> Ole kannatlik."


def form_data(**overrides) -> dict:
    data = {
        "title": "Rukkileib kodus",
        "summary": "Kuidas küpsetada rukkileiba.",
        "difficulty": "beginner",
        "tags": "leib",
        "co_authors": "",
        "body": BODY,
        "image_alt": "",
        "image_caption": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def _estonian_client() -> Client:
    client = Client()
    client.cookies["hearth_language"] = "et"
    return client


def test_a_new_guide_takes_the_writers_interface_language(member, member_client):
    member.language = "et"
    member.save(update_fields=["language"])
    form = member_client.get("/guides/new/").content.decode()
    assert '<label for="id_language">' in form
    assert re.search(r'<option value="et"[^>]*selected', form)
    member_client.post("/guides/new/", form_data())
    assert GuidePage.objects.get().language == "et"


def test_the_writer_picks_another_language_and_an_edit_keeps_it(member_client):
    member_client.post("/guides/new/", form_data(title="Паляниця вдома", language="uk"))
    guide = GuidePage.objects.get()
    assert guide.language == "uk"
    edit = member_client.get(f"/guides/{guide.pk}/edit/").content.decode()
    assert re.search(r'<option value="uk"[^>]*selected', edit)
    member_client.post(f"/guides/{guide.pk}/edit/", form_data(title="Паляниця вдома"))
    assert GuidePage.objects.get().get_latest_revision_as_object().language == "uk"


def test_a_language_hearth_does_not_offer_is_refused(member_client):
    response = member_client.post("/guides/new/", form_data(language="xx"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not GuidePage.objects.exists()


def test_visitors_cannot_write_a_guide(visitor_client):
    response = visitor_client.get("/guides/new/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_guide_page_and_card_carry_the_language(member, editor):
    with translation.override("et"):
        guide = published_guide(member, editor, title="Rukkileib kodus")
    assert guide.language == "et"
    english = published_guide(member, editor, title="Rye bread at home")
    page = Client().get(guide.url).content.decode()
    assert '<h1 lang="et">Rukkileib kodus</h1>' in page
    assert '<div class="guide__body prose" lang="et">' in page
    assert ESTONIAN_LABEL in page
    assert ESTONIAN_LABEL not in _estonian_client().get(guide.url).content.decode()
    english_page = Client().get(english.url).content.decode()
    assert '<span lang="en-gb">English</span>' not in english_page
    assert "<h1>Rye bread at home</h1>" in english_page  # the page's own language
    cards = Client().get("/guides/").content.decode()
    assert cards.count(ESTONIAN_LABEL) == 1
    assert 'lang="et">Rukkileib kodus</a>' in cards
    estonian_cards = _estonian_client().get("/guides/").content.decode()
    assert ESTONIAN_LABEL not in estonian_cards
    assert estonian_cards.count('<span lang="en-gb">English</span>') == 1


def test_drafts_written_in_a_language_stay_private(member, other_member_client):
    guide = write_guide(member, title="Salajane mustand", language="et")
    assert guide.language == "et"
    assert other_member_client.get(f"/guides/{guide.pk}/edit/").status_code in (403, 404)
