"""Helpful votes: one per member, a toggle, with htmx and without."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from blog.models import GuideVote
from tests.blog.factories import published_guide, write_guide
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(member, editor):
    return published_guide(member, editor, title="Folding dough")


def test_it_counts_a_vote_and_takes_it_back_on_a_second_click(
    other_member_client, other_member, guide
):
    response = other_member_client.post(f"/guides/{guide.pk}/helpful/")
    assert response.status_code == 302 and response["Location"] == guide.url
    assert GuideVote.objects.filter(guide=guide, member=other_member).count() == 1
    html = other_member_client.get(guide.url).content.decode()
    assert 'aria-pressed="true"' in html
    assert "<span data-helpful-count>1</span> member found this helpful." in html
    other_member_client.post(f"/guides/{guide.pk}/helpful/")
    assert not GuideVote.objects.filter(guide=guide).exists()
    html = other_member_client.get(guide.url).content.decode()
    assert "<span data-helpful-count>0</span> members found this helpful." in html


def test_it_answers_htmx_with_the_updated_button_and_count(other_member_client, guide):
    response = other_member_client.post(f"/guides/{guide.pk}/helpful/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'aria-pressed="true"' in html
    assert "<span data-helpful-count>1</span> member found this helpful." in html


def test_it_counts_every_member_once(guide):
    from blog import actions

    for _ in range(3):
        actions.toggle_helpful(guide=guide, member=make_member())
    assert GuideVote.objects.filter(guide=guide).count() == 3


def test_it_refuses_a_second_row_for_the_same_member_in_the_database(guide, other_member):
    GuideVote.objects.create(guide=guide, member=other_member)
    with pytest.raises(IntegrityError):
        GuideVote.objects.create(guide=guide, member=other_member)


def test_it_does_not_let_authors_vote_for_their_own_guide(member_client, guide):
    response = member_client.post(f"/guides/{guide.pk}/helpful/", HTTP_HX_REQUEST="true")
    assert "You cannot mark your own guide as helpful." in response.content.decode()
    assert not GuideVote.objects.exists()
    assert "helpful__form" not in member_client.get(guide.url).content.decode()


def test_it_sends_a_visitor_to_sign_in(visitor_client, guide):
    response = visitor_client.post(f"/guides/{guide.pk}/helpful/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert (
        visitor_client.post(f"/guides/{guide.pk}/helpful/", HTTP_HX_REQUEST="true").status_code
        == 403
    )
    assert (
        "Sign in</a> to say this guide helped you."
        in visitor_client.get(guide.url).content.decode()
    )
    assert not GuideVote.objects.exists()


def test_it_404s_votes_on_drafts_and_405s_a_get(other_member_client, member):
    draft = write_guide(member)
    assert other_member_client.post(f"/guides/{draft.pk}/helpful/").status_code == 404
    assert other_member_client.post("/guides/999999/helpful/").status_code == 404
    assert other_member_client.get(f"/guides/{draft.pk}/helpful/").status_code == 405


def test_it_sorts_the_listing_by_most_helpful(visitor_client, member, editor):
    from blog import actions

    quiet = published_guide(member, editor, title="Quiet guide", days_ago=1)
    loved = published_guide(member, editor, title="Loved guide", days_ago=5)
    for _ in range(2):
        actions.toggle_helpful(guide=loved, member=make_member())
    newest = visitor_client.get("/guides/").content.decode()
    assert newest.index("Quiet guide") < newest.index("Loved guide")
    helpful = visitor_client.get("/guides/?sort=helpful").content.decode()
    assert helpful.index("Loved guide") < helpful.index("Quiet guide")
    assert "2 found it helpful" in helpful
    assert quiet
