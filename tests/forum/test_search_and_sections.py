"""The forum in the one search, on the home page and on profiles; categories in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.forum import actions
from community.forum.models import Category, ReadAccess
from tests.forum.factories import make_category, make_tag, make_topic


@pytest.fixture
def public(db):
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def private(db):
    return make_category(name="Back room", slug="back-room", read_access=ReadAccess.MEMBERS)


def test_search_finds_topics_by_title_body_and_tag(visitor_client, member, public, moderator):
    make_tag("levain")
    make_topic(author=member, category=public, title="Feeding a starter", body="Use rye flour")
    make_topic(author=moderator, category=public, title="House rules", tags=("levain",))
    page = visitor_client.get("/search/", {"q": "starter"}).content.decode()
    assert "Feeding a starter" in page and "Topic" in page
    assert "Feeding a starter" in visitor_client.get("/search/", {"q": "rye"}).content.decode()
    assert "House rules" in visitor_client.get("/search/", {"q": "levain"}).content.decode()


def test_search_leaves_out_what_the_reader_may_not_see(
    visitor_client, member_client, moderator_client, member, moderator, public, private
):
    make_topic(author=member, category=private, title="Croissant secrets for members")
    hidden = make_topic(author=member, category=public, title="Croissant spam offer")
    actions.hide_topic(topic=hidden, moderator=moderator, reason="Spam")
    gone = make_topic(author=member, category=public, title="Croissant deleted musings")
    actions.delete_post(post=gone.posts.get(number=1), member=member)

    visitor = visitor_client.get("/search/", {"q": "croissant"}).content.decode()
    assert "Croissant secrets" not in visitor
    member_page = member_client.get("/search/", {"q": "croissant"}).content.decode()
    assert "Croissant secrets for members" in member_page
    for page in (
        visitor,
        member_page,
        moderator_client.get("/search/", {"q": "croissant"}).content.decode(),
    ):
        assert "Croissant spam offer" not in page
        assert "Croissant deleted musings" not in page


def test_edits_to_the_title_reach_the_search(visitor_client, member, public):
    topic = make_topic(author=member, category=public, title="Baguette scoring")
    actions.edit_post(
        post=topic.posts.get(number=1), editor=member, body="x", title="Batard scoring", tags=[]
    )
    assert "Batard scoring" in visitor_client.get("/search/", {"q": "batard"}).content.decode()


def test_the_home_page_shows_latest_topics(visitor_client, member, public, private):
    make_topic(author=member, category=public, title="Public bread topic")
    make_topic(author=member, category=private, title="Members bread topic")
    page = visitor_client.get("/").content.decode()
    assert "Latest topics" in page and "Public bread topic" in page
    assert "Members bread topic" not in page


def test_the_profile_shows_recent_topics(visitor_client, member, public, private):
    make_topic(author=member, category=public, title="Maya asks about ovens")
    make_topic(author=member, category=private, title="Maya in the back room")
    page = visitor_client.get(member.get_absolute_url()).content.decode()
    assert "Recent topics" in page and "Maya asks about ovens" in page
    assert "Maya in the back room" not in page


def test_a_profile_without_topics_has_no_empty_section(visitor_client, other_member):
    assert (
        "Recent topics" not in visitor_client.get(other_member.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize("persona, status", [("moderator_client", 200), ("editor_client", 200)])
def test_moderators_and_editors_manage_categories_in_the_admin(request, persona, status, public):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("forum_categories:index")).status_code == status
    response = client.post(
        reverse("forum_categories:add"),
        {
            "name": "Sourdough",
            "slug": "sourdough",
            "description": "All about wild yeast",
            "colour": "moss",
            "order": "3",
            "who_may_start": "members",
            "read_access": "public",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Category.objects.get(slug="sourdough").colour == "moss"
    response = client.post(reverse("forum_categories:delete", args=[public.pk]))
    assert response.status_code == 302
    assert not Category.objects.filter(pk=public.pk).exists()


def test_members_never_reach_the_category_admin(member_client):
    response = member_client.get("/admin/forum/categories/")
    assert response.status_code in (302, 403)
    assert "/admin/login/" in response.get("Location", "/admin/login/")


def test_a_category_with_topics_cannot_be_deleted_from_the_admin(moderator_client, member, public):
    make_topic(author=member, category=public)
    response = moderator_client.post(
        reverse("forum_categories:delete", args=[public.pk]), follow=True
    )
    assert response.status_code == 200
    assert "still holds 1 topic" in response.content.decode()
    assert Category.objects.filter(pk=public.pk).exists()


def test_the_admin_menu_offers_forum_screens_by_role(moderator_client, editor_client):
    moderator_page = moderator_client.get("/admin/").content.decode()
    assert "Flagged forum posts" in moderator_page and "Forum moderation log" in moderator_page
    assert "Categories" in moderator_page
    editor_page = editor_client.get("/admin/").content.decode()
    assert "Categories" in editor_page
    assert "Flagged forum posts" not in editor_page


def test_tags_made_in_the_admin_follow_the_posting_rules(moderator_client):
    from community.forum.models import TopicTag

    url = reverse("forum_tags:add")
    response = moderator_client.post(url, {"name": "<b>bold</b>", "slug": "bold"})
    assert response.status_code == 200
    assert "not a valid tag" in response.content.decode()
    response = moderator_client.post(url, {"name": "  Whole   Grain ", "slug": "whole-grain"})
    assert response.status_code == 302
    assert TopicTag.objects.get().name == "whole grain"
