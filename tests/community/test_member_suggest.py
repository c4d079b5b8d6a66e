"""Who to @mention: /members/suggest/?q= answers the writing box's script."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_member
from tests.forum.factories import make_category, make_topic

URL = "/members/suggest/"


def _suggest(client, q) -> list[dict]:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["members"]


def _usernames(client, q) -> list[str]:
    return [member["username"] for member in _suggest(client, q)]


def test_it_suggests_members_whose_username_starts_with_what_was_typed(member_client, member):
    make_member(username="marco", display_name="Marco")
    make_member(username="sam", display_name="Sam")
    make_member(username="emma", display_name="Emma")  # "ma" inside, not at the start

    assert _usernames(member_client, "ma") == ["marco", "maya"]
    assert _usernames(member_client, "MA") == ["marco", "maya"]
    assert _suggest(member_client, "may") == [{"username": "maya", "name": "Maya", "avatar": ""}]


def test_it_suggests_members_by_their_display_name_too(member_client):
    make_member(username="bakerjo", display_name="Joanna Baker")
    make_member(username="jo_r", display_name="")
    make_member(username="sam", display_name="Marjorie Jones")

    assert _usernames(member_client, "jo") == ["bakerjo", "jo_r"]
    assert _suggest(member_client, "joanna b") == [
        {"username": "bakerjo", "name": "Joanna Baker", "avatar": ""}
    ]


def test_it_gives_the_avatar_address_when_the_member_has_one(member_client):
    marco = make_member(username="marco")
    marco.avatar.name = "avatars/marco.jpg"
    marco.save(update_fields=["avatar"])

    [suggested] = _suggest(member_client, "marco")
    assert suggested["avatar"].endswith("/avatars/marco.jpg")


def test_it_suggests_at_most_eight_members(member_client):
    for n in range(12):
        make_member(username=f"baker{n:02}")

    assert _usernames(member_client, "baker") == [f"baker{n:02}" for n in range(8)]


def test_it_leaves_out_suspended_and_deactivated_members(member_client):
    make_member(username="mabel", suspended_until=timezone.now() + timedelta(days=3))
    make_member(username="mandy", is_active=False)
    make_member(username="marta", suspended_until=timezone.now() - timedelta(days=1))

    assert _usernames(member_client, "ma") == ["marta", "maya"]


@pytest.mark.parametrize(
    "q",
    [
        *("", " ", "@", "x" * 31, "ü" * 40),
        *("ma%", "ma_%'; drop table", "<script>", "a\tb", "ma*", "a/b", "ma\u202e"),
    ],
)
def test_junk_or_overlong_prefixes_get_an_empty_list(member_client, q):
    make_member(username="marco")

    assert _suggest(member_client, q) == []


def test_no_prefix_at_all_gets_an_empty_list(member_client):
    response = member_client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"members": []}


def test_a_leading_at_sign_is_ignored(member_client):
    assert _usernames(member_client, "@may") == ["maya"]


def test_a_visitor_is_sent_to_sign_in(visitor_client, member):
    response = visitor_client.get(URL, {"q": "ma"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "maya" not in response.content.decode()


def test_it_only_answers_get(member_client):
    assert member_client.post(URL, {"q": "ma"}).status_code == 405


def test_it_costs_one_query_however_many_members_match(member_client):
    _suggest(member_client, "zz")  # warm the session and anything cached per member
    with CaptureQueriesContext(connection) as nothing_found:
        assert _suggest(member_client, "zz") == []
    for n in range(12):
        make_member(username=f"baker{n:02}", display_name=f"Baker {n}")
    with CaptureQueriesContext(connection) as many_found:
        assert len(_suggest(member_client, "baker")) == 8
    with CaptureQueriesContext(connection) as junk:
        assert _suggest(member_client, "x" * 31) == []

    # The session and the member, then the one search (none for a refused prefix).
    assert len(junk) == 2
    assert len(nothing_found) == len(many_found) == 3


def test_the_three_writing_pages_load_the_composer(member_client, other_member):
    make_category(slug="kitchen")
    topic = make_topic(author=other_member, title="Rye starter")
    for path in (topic.get_absolute_url(), f"/forum/t/{topic.pk}/reply/", "/forum/new/"):
        html = member_client.get(path).content.decode()
        assert 'form method="post"' in html and "data-writing" in html, path
        assert 'js/composer.js" defer data-suggest-url="/members/suggest/"' in html, path
