"""chat.js takes the server's limits and markup from the room page, never its own copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from community.chat.consumers import TYPING_EVERY_SECONDS
from community.chat.models import EDIT_WINDOW_SECONDS, MESSAGE_MAX_LENGTH
from community.chat.presence import PING_SECONDS
from community.chat.protocol import HISTORY_MAX
from tests.chat.factories import make_message, make_room

pytestmark = pytest.mark.django_db

CHAT_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "chat.js"


def _script() -> str:
    """chat.js without its comments (a comment may name a limit; code may not)."""
    source = CHAT_JS.read_text()
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    return re.sub(r"(^|\s)//.*$", r"\1", source, flags=re.MULTILINE)


def _room(client, room) -> BeautifulSoup:
    response = client.get(room.get_absolute_url())
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def _kebab(name: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "-" + m.group().lower(), name)


def test_the_room_page_carries_every_limit_the_script_reads(member_client):
    page = _room(member_client, make_room())
    root = page.select_one("[data-chat-room]")
    assert root is not None
    assert int(root["data-edit-seconds"]) == EDIT_WINDOW_SECONDS
    assert int(root["data-history-max"]) == HISTORY_MAX
    assert float(root["data-typing-seconds"]) == TYPING_EVERY_SECONDS
    # Every room setting the script reads is on the page.
    read = set(re.findall(r"root\.dataset\.(\w+)", _script()))
    assert {"editSeconds", "historyMax", "typingSeconds"} <= read
    missing = [name for name in read if not root.has_attr("data-" + _kebab(name))]
    assert not missing


def test_the_room_page_gives_a_member_the_edit_form_the_script_clones(member_client, member):
    room = make_room()
    make_message(room, member, "mine")
    page = _room(member_client, room)
    template = page.select_one("template[data-edit-template]")
    assert template is not None
    # bs4 keeps a <template>'s text apart from the page's: read its markup on its own.
    form = BeautifulSoup(template.decode_contents(), "html.parser").select_one(
        "form[data-edit-form]"
    )
    assert form["method"] == "post"
    assert form["action"] == f"/chat/{room.slug}/messages/0/edit/"
    assert form.select_one("input[name=csrfmiddlewaretoken]")
    area = form.select_one("textarea[name=body]")
    # The limit is the server's to enforce (with the length in its refusal): the browser
    # gets it for the counter, never as a maxlength that cuts a long paste.
    assert int(area["data-max-length"]) == MESSAGE_MAX_LENGTH
    assert not area.has_attr("maxlength")
    label = form.select_one("label")
    assert label["for"] == area["id"] and label.get_text(strip=True) == "Edit your message"
    assert [b.get_text(strip=True) for b in form.select("button")] == ["Save", "Cancel"]
    assert form.select_one("button[type=button][data-cancel]")


def test_a_visitor_who_cannot_write_gets_the_limits_but_no_edit_form(visitor_client):
    page = _room(visitor_client, make_room())
    root = page.select_one("[data-chat-room]")
    assert int(root["data-history-max"]) == HISTORY_MAX
    assert page.select_one("template[data-edit-template]") is None


def test_chat_js_repeats_none_of_the_servers_limits():
    script = _script()
    numbers = {float(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", script)}
    server = {
        MESSAGE_MAX_LENGTH,
        EDIT_WINDOW_SECONDS,
        EDIT_WINDOW_SECONDS * 1000,
        HISTORY_MAX,
        TYPING_EVERY_SECONDS * 1000,
        PING_SECONDS,
        PING_SECONDS * 1000,
        3000,  # the typing interval the script used to keep for itself
    }
    assert not numbers & {float(n) for n in server}
    # No numeric stand-in for a missing setting, and the edit form is the server's.
    assert not re.search(r"dataset\.\w+\)?\s*\|\|\s*[1-9]", script)
    assert not re.search(r"ping_seconds\s*\|\|", script)
    assert 'createElement("textarea")' not in script
    assert "template[data-edit-template]" in script
