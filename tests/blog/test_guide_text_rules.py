"""Guides follow the site's one text cleaner and one linkifier, like the forum and chat."""

from __future__ import annotations

import pytest

from blog import markup
from blog.markup import render_markdown, source_to_blocks
from blog.models import GuidePage
from community.forum.markup import render_post
from hearth.text import LINK_REL
from tests.blog.factories import published_guide
from tests.factories import make_editor, make_member

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # right-to-left override: makes "gpj.exe" read as "exe.jpg"
PDF = "\u202c"
ZWSP = "\u200b"
ZWJ = "\u200d"
BOM = "\ufeff"


def _form(**overrides) -> dict:
    data = {
        "title": "Proofing bread at home",
        "summary": "How long to let dough rise.",
        "difficulty": "beginner",
        "tags": "baking",
        "co_authors": "",
        "body": "Bread needs time.",
        "image_alt": "",
        "image_caption": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def _invisible(text: str) -> bool:
    return any(ch in text for ch in (RLO, PDF, ZWSP, ZWJ, BOM, "\x07", "\x85"))


def test_it_drops_bidi_overrides_and_zero_width_characters_from_a_guide_body():
    blocks = source_to_blocks(
        f"Open {RLO}gpj.exe{PDF} with care{ZWSP}.\n\n"
        f"## Be{ZWJ}fore you start\n\n"
        f"1. Mix{BOM}\n2. Wait\x85\n\n"
        f"> Keep{ZWSP} it cold.\n\n"
        f"```\nprint({RLO}1)\n```"
    )
    assert blocks == [
        {"type": "text", "value": "Open gpj.exe with care."},
        {"type": "heading", "value": {"text": "Before you start", "level": "h2"}},
        {"type": "steps", "value": ["Mix", "Wait"]},
        {"type": "tip", "value": "Keep it cold."},
        {"type": "code", "value": {"language": "text", "code": "print(1)"}},
    ]


def test_it_cleans_the_title_summary_body_and_image_words_a_member_sends(member_client):
    response = member_client.post(
        "/guides/new/",
        _form(
            title=f"Proofing {RLO}bread{PDF} at{ZWSP} home",
            summary=f"How long{ZWJ} to let\tdough {RLO}rise.",
            tags=f"bak{ZWSP}ing, {RLO}bread",
            body=f"Bread needs{ZWSP} time {RLO}really{PDF}.",
        ),
    )
    assert response.status_code == 302
    guide = GuidePage.objects.get()
    latest = guide.get_latest_revision_as_object()
    assert latest.title == "Proofing bread at home"
    assert latest.summary == "How long to let dough rise."
    assert sorted(tag.name for tag in latest.tags.all()) == ["baking", "bread"]
    assert latest.body.raw_data[0]["value"] == "Bread needs time really."
    assert not _invisible(latest.title + latest.summary + str(latest.body.raw_data))


def test_it_refuses_a_title_that_is_only_invisible_characters(member_client):
    response = member_client.post("/guides/new/", _form(title=f"{RLO}{ZWSP}{ZWJ}{BOM}{PDF}abc"))
    assert response.status_code == 200
    assert "Ensure this value has at least 5 characters" in response.content.decode()
    assert not GuidePage.objects.exists()


def test_it_turns_a_bare_address_in_a_guide_into_a_link_like_the_forum():
    source = "See https://example.com/bread for more, e.g. example.com or `https://in.code`."
    html = render_markdown(source)
    assert (
        f'<a href="https://example.com/bread" rel="{LINK_REL}">https://example.com/bread</a>'
    ) in html
    assert "e.g. example.com or" in html  # no scheme, no link: same rule as the forum
    assert "<code>https://in.code</code>" in html
    forum = render_post(source).html
    assert 'href="https://example.com/bread"' in forum and "e.g. example.com or" in forum


def test_the_guides_use_the_sites_one_linkifier():
    from hearth.text import linkifier

    assert markup._parser.linkify is linkifier
    assert markup._parser.options["linkify"] is True


def test_it_links_bare_addresses_on_a_published_guide_page(visitor_client):
    guide = published_guide(
        make_member(username="maya"),
        make_editor(username="ed"),
        source="Flour guide: https://example.com/flour\n\n1. Read https://example.com/step",
    )
    html = visitor_client.get(guide.url).content.decode()
    assert f'<a href="https://example.com/flour" rel="{LINK_REL}">' in html
    assert f'<a href="https://example.com/step" rel="{LINK_REL}">' in html


def test_it_keeps_the_same_blocks_after_a_round_trip_with_links():
    source = "Read https://example.com/a first.\n\n## Links like https://example.com/b"
    blocks = source_to_blocks(source)
    assert blocks[1]["value"]["text"] == "Links like https://example.com/b"
    assert source_to_blocks(markup.blocks_to_source(blocks)) == blocks
