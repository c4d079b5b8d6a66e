"""Text over a field's limit is refused by the server with its own sentence, never cut by
the browser, and the member's text comes back in the form (issue 14)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation

from community.forum.models import Topic
from hearth.forms import LengthLimitsMixin, too_long_message
from tests.forum.factories import make_category

pytestmark = pytest.mark.django_db

LONG_TITLE = ("Sourdough starter questions and answers, " * 6)[:214] + "!"


@pytest.fixture
def category(db):
    return make_category(name="Baking", slug="baking")


def test_the_long_title_used_here_is_215_characters():
    assert len(LONG_TITLE) == 215


def test_a_215_character_title_is_refused_with_the_servers_message_and_kept(
    member_client, category
):
    response = member_client.post(
        "/forum/new/", {"category": "baking", "title": LONG_TITLE, "body": "My careful text"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A title can be at most 150 characters (this one has 215)." in page
    # Nothing the member typed is lost.
    assert f'value="{LONG_TITLE}"' in page
    assert "My careful text" in page
    assert not Topic.objects.exists()


def test_the_title_field_carries_its_limit_for_the_counter_not_for_the_browser(
    member_client, category
):
    page = member_client.get("/forum/new/").content.decode()
    title = re.search(r"<input[^>]*name=\"title\"[^>]*>", page).group(0)
    assert 'data-limit="150"' in title
    assert "maxlength" not in title
    body = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", page).group(0)
    assert 'data-limit="20000"' in body and "maxlength" not in body


def test_a_reply_over_the_limit_is_refused_and_kept(member_client, member, category):
    from tests.forum.factories import make_topic

    topic = make_topic(author=member, category=category, title="Crumb structure")
    body = "x" * 20_001
    response = member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": body})
    page = response.content.decode()
    assert "A post can be at most 20,000 characters (this one has 20,001)." in page
    assert body in page


def test_a_bio_over_the_limit_is_refused_and_kept(member_client, member):
    bio = "I bake bread. " * 39 + "I do it often"  # 559 characters
    response = member_client.post(
        f"/members/{member.username}/edit/",
        {"display_name": "Maya O.", "bio": bio, "email_on_mention": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A bio can be at most 500 characters (this one has 559)." in page
    assert bio.strip() in page
    member.refresh_from_db()
    assert member.bio == ""


def test_the_profile_form_has_no_maxlength_for_the_browser_to_cut_at(member_client, member):
    page = member_client.get(f"/members/{member.username}/edit/").content.decode()
    assert "maxlength" not in page.split("<main", 1)[1]
    assert 'data-limit="500"' in page


def test_a_line_break_counts_as_one_character_as_the_counter_shows_it():
    class NoteForm(LengthLimitsMixin, forms.Form):
        note = forms.CharField(max_length=5, widget=forms.Textarea)

    assert NoteForm({"note": "ab\r\ncd"}).is_valid()
    assert not NoteForm({"note": "ab\r\ncdef"}).is_valid()


def test_the_message_names_the_field_and_formats_numbers_in_the_sites_locale():
    with translation.override("en-gb"):
        assert too_long_message(2000, 5000, "A message") == (
            "A message can be at most 2,000 characters (this one has 5,000)."
        )
        assert too_long_message(1, 2) == "This can be at most 1 character (it has 2)."


def test_a_field_limited_only_by_its_widget_gets_the_same_treatment():
    class NoteForm(LengthLimitsMixin, forms.Form):
        length_nouns = {"note": "A note"}
        note = forms.CharField(widget=forms.Textarea(attrs={"maxlength": 10}))

    form = NoteForm({"note": "x" * 11})
    assert form.errors["note"] == ["A note can be at most 10 characters (this one has 11)."]
    html = str(form["note"])
    assert 'data-limit="10"' in html and "maxlength" not in html


@pytest.mark.parametrize(
    ("path", "form_name", "fields"),
    [
        ("community.forms", "ProfileForm", {"display_name", "bio"}),
        ("referrals.forms", "InviteForm", {"emails", "note"}),
        ("referrals.forms", "ThankYouForm", {"message"}),
        ("survey.forms", "ReasonForm", {"reason"}),
        ("community.moderation.forms", "AppealForm", {"text"}),
        ("community.forum.forms", "FlagForm", {"text"}),
    ],
)
def test_the_sites_forms_let_no_browser_cut_their_text(path, form_name, fields):
    import importlib

    form_class = getattr(importlib.import_module(path), form_name)
    form = form_class()
    for name in fields:
        html = str(form[name])
        assert "data-limit=" in html, (form_name, name)
        assert "maxlength" not in html, (form_name, name)


def test_a_survey_reason_over_the_limit_is_refused_summarised_and_kept():
    from django.test import Client

    from tests.factories import make_member

    client = Client()
    client.force_login(make_member(joined_days_ago=40))  # old enough to be asked
    client.post("/survey/answer/", {"score": "8"})
    reason = "Faster search please. " * 91  # 2,002 characters
    response = client.post("/survey/reason/", {"reason": reason})
    page = response.content.decode()
    assert response.status_code == 400
    assert "A reason can be at most 2,000 characters (this one has 2,001)." in page
    assert 'href="#id_reason"' in page  # the error summary links to the field
    assert reason.strip() in page
    assert 'data-limit="2000"' in page and "maxlength" not in page.split("<main", 1)[1]
