"""Every form with errors opens with GOV.UK's error summary: "There is a problem" and a
link to each field with an error, each error tied to its input (issue 14)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from tests.forum.factories import make_category

pytestmark = pytest.mark.django_db


def _summary(html: str):
    soup = BeautifulSoup(html, "html.parser")
    return soup, soup.select_one("[data-error-summary]")


def test_a_failed_profile_save_opens_with_a_summary_linking_to_each_field(member_client, member):
    response = member_client.post(
        f"/members/{member.username}/edit/",
        {"display_name": "<b>", "bio": "x" * 501, "birthday_month": "2", "birthday_day": "31"},
    )
    soup, summary = _summary(response.content.decode())
    assert summary is not None
    assert summary["tabindex"] == "-1"
    assert summary.select_one("[role=alert]") is not None
    assert summary.h2.get_text(strip=True) == "There is a problem"
    links = {a["href"]: a.get_text(strip=True) for a in summary.select("a")}
    assert links == {
        "#id_display_name": "Display names cannot contain < or >.",
        "#id_bio": "A bio can be at most 500 characters (this one has 501).",
        "#id_birthday_day": "February has 29 days; 31 is not a valid day.",
    }
    # The summary comes before the fields, and each link leads to a real input.
    main = str(soup.main)
    assert main.index("There is a problem") < main.index('id="id_display_name"')
    for href in links:
        assert soup.select_one(href) is not None


def test_each_field_error_is_tied_to_its_input(member_client, member):
    response = member_client.post(
        f"/members/{member.username}/edit/", {"display_name": "<b>", "bio": ""}
    )
    soup, _ = _summary(response.content.decode())
    name = soup.select_one("#id_display_name")
    assert name["aria-invalid"] == "true"
    described = name["aria-describedby"].split()
    assert "id_display_name_error" in described
    assert soup.select_one("#id_display_name_error").get_text(strip=True) == (
        "Display names cannot contain < or >."
    )
    # Fields without errors are not marked.
    assert not soup.select_one("#id_bio").has_attr("aria-invalid")


def test_a_form_without_errors_has_no_summary(member_client, member):
    _, summary = _summary(member_client.get(f"/members/{member.username}/edit/").content.decode())
    assert summary is None


def test_the_new_topic_form_summarises_its_errors_and_form_wide_ones_too(member_client):
    make_category(name="Baking", slug="baking")
    response = member_client.post("/forum/new/", {"category": "baking", "title": "Hi", "body": ""})
    soup, summary = _summary(response.content.decode())
    assert summary is not None
    hrefs = [a["href"] for a in summary.select("a")]
    assert hrefs == ["#id_title", "#id_body"]
    assert "at least 5 characters" in summary.get_text()


def test_errors_that_belong_to_no_field_are_listed_without_a_link():
    from django import forms
    from django.template.loader import render_to_string

    class ContactForm(forms.Form):
        name = forms.CharField()

        def clean(self):
            raise forms.ValidationError("The whole form is wrong.")

    form = ContactForm({"name": ""})
    form.is_valid()
    soup, summary = _summary(render_to_string("_form_fields.html", {"form": form}))
    items = [li.get_text(strip=True) for li in summary.select("li")]
    assert items == ["The whole form is wrong.", "This field is required."]
    assert summary.select("li")[0].a is None
    assert summary.select("li")[1].a["href"] == "#id_name"


def test_a_checkbox_sits_on_one_row_with_its_label():
    from django import forms
    from django.template.loader import render_to_string

    class Form(forms.Form):
        remember = forms.BooleanField(label="Remember me", required=False)

    html = render_to_string("_form_fields.html", {"form": Form()})
    field = BeautifulSoup(html, "html.parser").select_one(".field")
    assert "field--checkbox" in field["class"]
    assert re.fullmatch(
        r"\s*<input[^>]+>\s*<label[^>]*>Remember me</label>\s*", field.decode_contents()
    )
