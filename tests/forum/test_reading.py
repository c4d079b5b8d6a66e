"""Index, category, tag and topic pages for each persona; read tracking."""

from __future__ import annotations

import pytest

from community.forum import actions
from community.forum.models import ReadAccess, StartPermission, TopicUser
from tests.forum.factories import bulk_posts, make_category, make_reply, make_tag, make_topic


@pytest.fixture
def public(db):
    return make_category(name="Baking", slug="baking", description="Bread and cakes")


@pytest.fixture
def private(db):
    return make_category(name="Back room", slug="back-room", read_access=ReadAccess.MEMBERS)


@pytest.fixture
def topic(member, public):
    return make_topic(author=member, category=public, title="How hot should the oven be?")


def test_the_index_lists_categories_with_counts_and_latest_activity(visitor_client, topic, private):
    page = visitor_client.get("/forum/").content.decode()
    assert "Baking" in page and "Bread and cakes" in page
    assert "<strong>1</strong> topic" in page
    assert "How hot should the oven be?" in page
    assert "Back room" in page and "Members only" in page and "Sign in to read" in page


def test_the_index_hides_members_only_topics_from_visitors(
    visitor_client, member_client, member, private
):
    make_topic(author=member, category=private, title="Secret plans for the bake sale")
    assert "Secret plans" not in visitor_client.get("/forum/").content.decode()
    assert "Secret plans" in member_client.get("/forum/").content.decode()


def test_the_category_page_lists_pinned_topics_first_then_by_activity(
    member_client, member, other_member, moderator, public
):
    old = make_topic(author=member, category=public, title="Old but pinned")
    middle = make_topic(author=member, category=public, title="Middle topic")
    newest = make_topic(author=member, category=public, title="Newest topic")
    make_reply(topic=middle, author=other_member)  # now the most active
    actions.set_pinned(topic=old, moderator=moderator, pinned=True)
    page = member_client.get(public.get_absolute_url()).content.decode()
    positions = [page.index(t.title) for t in (old, middle, newest)]
    assert positions == sorted(positions)
    assert "Pinned" in page


def test_the_category_page_paginates_30_topics(member_client, member, public):
    for i in range(31):
        make_topic(author=member, category=public, title=f"Bread question {i:02d}")
    first = member_client.get(public.get_absolute_url()).content.decode()
    second = member_client.get(public.get_absolute_url() + "?page=2").content.decode()
    assert first.count('<li class="topic-row') == 30 and "Page 1 of 2" in first
    assert second.count('<li class="topic-row') == 1
    assert "Bread question 00" in second


def test_members_only_categories_send_visitors_to_sign_in(
    visitor_client, member_client, member, private
):
    topic = make_topic(author=member, category=private)
    response = visitor_client.get(private.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = visitor_client.get(topic.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert member_client.get(topic.get_absolute_url()).status_code == 200


def test_unknown_categories_topics_and_posts_are_404(visitor_client, member_client):
    assert visitor_client.get("/forum/c/nope/").status_code == 404
    assert member_client.get("/forum/t/999-nope/").status_code == 404
    assert member_client.get("/forum/p/999/").status_code == 404
    assert member_client.get("/forum/tags/nope/").status_code == 404


def test_hidden_topics_are_404_except_for_moderators(
    member_client, visitor_client, moderator_client, moderator, topic
):
    actions.hide_topic(topic=topic, moderator=moderator, reason="Off-topic spam")
    assert member_client.get(topic.get_absolute_url()).status_code == 404
    assert visitor_client.get(topic.get_absolute_url()).status_code == 404
    page = moderator_client.get(topic.get_absolute_url())
    assert page.status_code == 200
    assert "This topic is hidden from members: Off-topic spam" in page.content.decode()


def test_deleted_topics_are_404_for_everyone(member_client, moderator_client, member, topic):
    actions.delete_post(post=topic.posts.get(number=1), member=member)
    assert member_client.get(topic.get_absolute_url()).status_code == 404
    assert moderator_client.get(topic.get_absolute_url()).status_code == 404


def test_a_wrong_or_missing_slug_redirects_to_the_canonical_address(visitor_client, topic):
    response = visitor_client.get(f"/forum/t/{topic.pk}-old-title/")
    assert response.status_code == 301 and response["Location"] == topic.get_absolute_url()
    response = visitor_client.get(f"/forum/t/{topic.pk}/")
    assert response["Location"] == topic.get_absolute_url()


@pytest.mark.parametrize("raw, expected", [("abc", 1), ("0", 1), ("-4", 1), ("99", 3), ("last", 3)])
def test_odd_page_numbers_redirect_to_a_real_page(
    visitor_client, member, other_member, public, raw, expected
):
    topic = make_topic(author=member, category=public)
    bulk_posts(topic, other_member, 44)  # 45 posts: 3 pages
    response = visitor_client.get(f"{topic.get_absolute_url()}?page={raw}")
    assert response.status_code == 302
    assert response["Location"] == topic.page_url(expected)


def test_the_topic_page_shows_posts_tags_and_the_reply_box(
    member_client, visitor_client, member, public
):
    make_tag("ovens")
    topic = make_topic(
        author=member, category=public, title="Oven temps", body="What **temp**?", tags=("ovens",)
    )
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "<h1>Oven temps</h1>" in page
    assert "<strong>temp</strong>" in page
    assert 'href="/forum/tags/ovens/"' in page
    assert 'id="reply"' in page and 'name="body"' in page
    visitor_page = visitor_client.get(topic.get_absolute_url()).content.decode()
    assert "Sign in to reply" in visitor_page and 'name="body"' not in visitor_page


def test_signed_in_members_see_invite_a_friend_to_this(member_client, visitor_client, topic):
    url = topic.get_absolute_url()
    expected = f'href="/referrals/share/?path=/forum/t/{topic.pk}-how-hot-should-the-oven-be/"'
    assert expected in member_client.get(url).content.decode()
    assert "Invite a friend to this" not in visitor_client.get(url).content.decode()


def test_reading_a_topic_moves_the_read_position_and_marks_unread_topics(
    member_client, member, other_member, public
):
    topic = make_topic(author=other_member, category=public)
    bulk_posts(topic, other_member, 29)  # 30 posts, 2 pages
    listing = member_client.get(public.get_absolute_url()).content.decode()
    assert "badge--new" in listing
    member_client.get(topic.get_absolute_url())
    state = TopicUser.objects.get(member=member, topic=topic)
    assert state.last_read_number == 20
    listing = member_client.get(public.get_absolute_url()).content.decode()
    assert "badge--unread" in listing
    assert f'href="{topic.post_url(21)}"' in listing
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert f'href="{topic.post_url(21)}">Jump to first unread' in page
    second = member_client.get(topic.page_url(2)).content.decode()
    assert 'id="post-21" class="post is-unread' in second
    assert TopicUser.objects.get(member=member, topic=topic).last_read_number == 30
    listing = member_client.get(public.get_absolute_url()).content.decode()
    assert "badge--unread" not in listing and "badge--new" not in listing
    # Going back to page 1 never moves the position backwards.
    member_client.get(topic.get_absolute_url())
    assert TopicUser.objects.get(member=member, topic=topic).last_read_number == 30


def test_tag_pages_list_topics_the_reader_may_see(
    visitor_client, member_client, member, moderator, public, private
):
    make_tag("flour")
    make_topic(author=member, category=public, title="Public flour talk", tags=("flour",))
    make_topic(author=member, category=private, title="Private flour talk", tags=("flour",))
    hidden = make_topic(author=member, category=public, title="Hidden flour talk", tags=("flour",))
    actions.hide_topic(topic=hidden, moderator=moderator, reason="Spam")
    page = visitor_client.get("/forum/tags/flour/").content.decode()
    assert "Public flour talk" in page
    assert "Private flour talk" not in page and "Hidden flour talk" not in page
    assert "Private flour talk" in member_client.get("/forum/tags/flour/").content.decode()
    tags_page = visitor_client.get("/forum/tags/").content.decode()
    assert "flour" in tags_page and "(1)" in tags_page


def test_moderators_see_a_link_to_hidden_topics_of_a_category(
    moderator_client, member_client, moderator, topic, public
):
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    page = moderator_client.get(public.get_absolute_url()).content.decode()
    assert "Hidden topics (1)" in page
    hidden = moderator_client.get(public.get_absolute_url() + "?show=hidden").content.decode()
    assert topic.title in hidden
    assert (
        topic.title
        not in member_client.get(public.get_absolute_url() + "?show=hidden").content.decode()
    )


def test_announcement_categories_explain_who_starts_topics(member_client):
    news = make_category(name="News", who_may_start=StartPermission.MODERATORS)
    page = member_client.get(news.get_absolute_url()).content.decode()
    assert "Only moderators start topics here" in page
    assert "Start a topic" not in page


@pytest.mark.parametrize(
    "url",
    ["/forum/", "/forum/c/baking/", "/forum/tags/", "/forum/t/{pk}-how-hot-should-the-oven-be/"],
)
def test_reading_pages_refuse_post(member_client, topic, url):
    assert member_client.post(url.format(pk=topic.pk)).status_code == 405


def test_the_edit_history_lists_previous_versions(member_client, visitor_client, member, topic):
    post = topic.posts.get(number=1)
    member_client.post(
        f"/forum/p/{post.pk}/edit/",
        {"title": topic.title, "body": "Second version"},
    )
    page = visitor_client.get(f"/forum/p/{post.pk}/history/").content.decode()
    assert "Second version" in page and "Hello everyone, this is the opening post." in page
    assert "Maya" in page


def test_the_post_permalink_goes_to_the_right_page(visitor_client, member, other_member, public):
    topic = make_topic(author=member, category=public)
    bulk_posts(topic, other_member, 30)
    post = topic.posts.get(number=25)
    response = visitor_client.get(f"/forum/p/{post.pk}/")
    assert response["Location"] == f"{topic.get_absolute_url()}?page=2#post-25"
