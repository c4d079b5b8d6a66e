"""Display names and bios follow the site's one text cleaner (hearth.text)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # right-to-left override: makes a name read backwards
PDF = "\u202c"
ZWSP = "\u200b"
LRI = "\u2066"


def _edit_url(member) -> str:
    return f"/members/{member.username}/edit/"


def _form(**overrides) -> dict:
    data = {
        "display_name": "Maya O.",
        "bio": "I bake bread.",
        "birthday_month": "",
        "birthday_day": "",
        "email_on_mention": "on",
    }
    data.update(overrides)
    return data


def test_it_drops_a_bidi_override_and_zero_width_characters_from_a_display_name(
    member_client, member, visitor_client
):
    response = member_client.post(
        _edit_url(member), _form(display_name=f"Maya{ZWSP} {RLO}nimda{PDF}  \x07O.")
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Maya nimda O."
    html = visitor_client.get(f"/members/{member.username}/").content.decode()
    assert "Maya nimda O." in html and RLO not in html


def test_it_cleans_a_bio_and_keeps_its_lines(member_client, member):
    response = member_client.post(
        _edit_url(member),
        _form(bio=f"  I bake{ZWSP} bread.\r\n\r\n{LRI}Weekends{PDF} only\x1b.{RLO}  "),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.bio == "I bake bread.\n\nWeekends only."


def test_it_leaves_no_display_name_when_it_was_only_invisible_characters(member_client, member):
    response = member_client.post(_edit_url(member), _form(display_name=f"{RLO}{ZWSP}{PDF}"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == ""
