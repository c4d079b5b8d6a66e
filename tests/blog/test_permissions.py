"""Who may do what: visitor, the author, another member, a moderator, an editor."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.blog.factories import published_guide, submit, write_guide

pytestmark = pytest.mark.django_db

PERSONAS = ["visitor", "author", "other_member", "moderator", "editor"]
LOGIN = "login"  # a redirect to the sign-in page


@pytest.fixture
def clients(visitor_client, member_client, other_member_client, moderator_client, editor_client):
    return {
        "visitor": visitor_client,
        "author": member_client,
        "other_member": other_member_client,
        "moderator": moderator_client,
        "editor": editor_client,
    }


@pytest.fixture
def guides(member, editor):
    draft = write_guide(member, title="A private draft")
    in_review = write_guide(member, title="Under review")
    submit(in_review)
    live = published_guide(member, editor, title="A public guide")
    return {"draft": draft, "in_review": in_review, "live": live}


def _check(client: Client, method: str, url: str, expected) -> None:
    response = getattr(client, method)(url)
    if expected == LOGIN:
        assert response.status_code == 302, (method, url, response.status_code)
        assert "/accounts/login/" in response["Location"] or "/admin/login/" in response["Location"]
    elif isinstance(expected, tuple):
        assert response.status_code in expected, (method, url, response.status_code)
    else:
        assert response.status_code == expected, (method, url, response.status_code)


MATRIX = [
    # method, url template, expected for: visitor, author, other member, moderator, editor
    ("get", "/guides/new/", [LOGIN, 200, 200, 200, 200]),
    ("get", "/guides/mine/", [LOGIN, 200, 200, 200, 200]),
    ("get", "/guides/{draft}/edit/", [LOGIN, 200, 404, 404, 404]),
    ("post", "/guides/{draft}/edit/", [LOGIN, 200, 404, 404, 404]),
    ("get", "/guides/{draft}/preview/", [LOGIN, 200, 404, 404, 200]),
    ("get", "/guides/{in_review}/preview/", [LOGIN, 200, 404, 404, 200]),
    ("post", "/guides/{in_review}/withdraw/", [LOGIN, 302, 404, 404, 404]),
    ("post", "/guides/{draft}/submit/", [LOGIN, 302, 404, 404, 404]),
    ("get", "/guides/a-private-draft/", [404, 404, 404, 404, 404]),
    ("get", "/guides/under-review/", [404, 404, 404, 404, 404]),
    ("get", "/guides/a-public-guide/", [200, 200, 200, 200, 200]),
    ("post", "/guides/{live}/helpful/", [LOGIN, 302, 302, 302, 302]),
    ("get", "/admin/", [LOGIN, 403, 403, 200, 200]),
    ("get", "/admin/pages/{draft}/edit/", [LOGIN, 403, 403, (302, 403), 200]),
    # the wrong method
    ("get", "/guides/{draft}/submit/", [LOGIN, 405, 405, 405, 405]),
    ("get", "/guides/{in_review}/withdraw/", [LOGIN, 405, 405, 405, 405]),
    ("get", "/guides/{live}/helpful/", [405, 405, 405, 405, 405]),
    ("put", "/guides/new/", [LOGIN, 405, 405, 405, 405]),
    ("post", "/guides/mine/", [LOGIN, 405, 405, 405, 405]),
    ("post", "/guides/{draft}/preview/", [LOGIN, 405, 405, 405, 405]),
    ("delete", "/guides/{draft}/edit/", [LOGIN, 405, 405, 405, 405]),
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_role_as_the_matrix_says(clients, guides, persona):
    # One persona walks the whole matrix in order (the rows are arranged so that the
    # author's own submit and withdraw do not change what later rows expect).
    for method, template, expected in MATRIX:
        url = template.format(**{key: guide.pk for key, guide in guides.items()})
        _check(clients[persona], method, url, expected[PERSONAS.index(persona)])


def test_it_never_lets_a_member_publish_their_own_guide(member_client, member, guides):
    from wagtail.models import Page

    draft = guides["draft"]
    assert not Page.objects.get(pk=draft.pk).permissions_for_user(member).can_publish()
    # The admin's publish button is out of reach, and there is no publish view on the site.
    response = member_client.post(f"/admin/pages/{draft.pk}/edit/", {"action-publish": "1"})
    assert response.status_code == 403
    assert member_client.post(f"/guides/{draft.pk}/publish/").status_code == 404
    draft.refresh_from_db()
    assert not draft.live


def test_it_never_shows_another_members_draft_in_a_preview_or_listing(other_member_client, guides):
    html = other_member_client.get("/guides/mine/").content.decode()
    assert "A private draft" not in html and "Under review" not in html
    assert "A private draft" not in other_member_client.get("/guides/").content.decode()
