"""Reactions in chat as in the forum: the ones given, plus one "Add a reaction" control;
icons are the site's own SVGs with the reaction's name as the button's text."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from community.chat.models import ChatReaction
from community.models import REACTION_KEYS, REACTIONS
from tests.chat.factories import make_message, make_room

pytestmark = pytest.mark.django_db

ICONS = Path(__file__).resolve().parents[2] / "static" / "icons" / "reactions"


def _reactions(client, message) -> BeautifulSoup:
    page = BeautifulSoup(client.get(message.room.get_absolute_url()).content, "html.parser")
    return page.select_one(f"#message-{message.pk} [data-reactions]")


def test_a_member_sees_only_given_reactions_and_one_add_control(
    member_client, member, other_member
):
    message = make_message(make_room(), other_member, "Fresh bread!")
    row = _reactions(member_client, message)
    assert row.select(":scope > form") == []  # no row of zeros
    add = row.select_one(":scope > details.reactions__add")
    assert add.summary.get_text(" ", strip=True) == "+ Add a reaction"
    assert [b["data-reaction"] for b in add.select("button")] == REACTION_KEYS

    ChatReaction.objects.create(message=message, member=other_member, kind="celebrate")
    ChatReaction.objects.create(message=message, member=member, kind="heart")
    row = _reactions(member_client, message)
    given = row.select(":scope > form button")
    assert [(b["data-reaction"], b["aria-pressed"]) for b in given] == [
        ("heart", "true"),
        ("celebrate", "false"),
    ]
    assert [b.get_text(" ", strip=True) for b in given] == ["Heart 1", "Celebrate 1"]
    rest = row.select("details button")
    assert [b["data-reaction"] for b in rest] == ["like", "laugh", "insightful"]


def test_a_visitor_sees_the_given_reactions_without_buttons(visitor_client, other_member, member):
    message = make_message(make_room(), other_member, "Fresh bread!")
    ChatReaction.objects.create(message=message, member=member, kind="like")
    row = _reactions(visitor_client, message)
    assert row.select("button, form, details") == []
    shown = [s for s in row.select("[data-reaction]") if not s.has_attr("hidden")]
    assert [s.get_text(" ", strip=True) for s in shown] == ["Like 1"]


def test_reaction_icons_are_the_sites_own_svgs(member_client, other_member):
    message = make_message(make_room(), other_member, "Fresh bread!")
    row = _reactions(member_client, message)
    for key, emoji, label in REACTIONS:
        button = row.select_one(f'button[data-reaction="{key}"]')
        icon = button.select_one("img.reaction__icon")
        assert icon["src"] == f"/static/icons/reactions/{key}.svg" and icon["alt"] == ""
        assert emoji not in button.get_text()  # no emoji font needed
        assert button.select_one(".visually-hidden").get_text() == label


@pytest.mark.parametrize("key", REACTION_KEYS)
def test_every_reaction_has_a_24_pixel_svg_icon(key):
    svg = ElementTree.parse(ICONS / f"{key}.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox") == "0 0 24 24"
    assert not svg.findall(".//{http://www.w3.org/2000/svg}script")


def test_when_every_reaction_is_given_the_add_control_is_not_offered(member_client, member):
    message = make_message(make_room(), member, "Fresh bread!")
    for key in REACTION_KEYS:
        ChatReaction.objects.create(message=message, member=member, kind=key)
    row = _reactions(member_client, message)
    assert len(row.select(":scope > form")) == len(REACTION_KEYS)
    assert row.select_one("details.reactions__add").has_attr("hidden")
