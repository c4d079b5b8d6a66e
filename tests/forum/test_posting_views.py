"""Starting topics, replying, editing and deleting through the site, for each persona."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.forum import actions
from community.forum.actions import rules
from community.forum.models import Post, StartPermission, Topic
from tests.factories import image_upload
from tests.forum.factories import make_category, make_reply, make_tag, make_topic


@pytest.fixture
def category(db):
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def topic(member, category):
    return make_topic(author=member, category=category, title="Crumb structure")


def test_a_member_starts_a_topic_through_the_form(member_client, category):
    make_tag("crumb")
    response = member_client.post(
        "/forum/new/",
        {
            "category": "baking",
            "title": "Why is my crumb dense?",
            "body": "Help!",
            "tags": ["crumb"],
        },
    )
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert [t.name for t in topic.tags.all()] == ["crumb"]
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "Your topic is up." in page


def test_the_new_topic_form_keeps_everything_when_a_rule_says_no(member_client, category):
    response = member_client.post(
        "/forum/new/", {"category": "baking", "title": "Hi", "body": "My long careful text"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "at least 5 characters" in page
    assert "My long careful text" in page
    assert not Topic.objects.exists()


def test_the_new_topic_form_reports_the_wait_between_posts(member_client, member, category):
    make_topic(author=member, category=category)
    rules.claim_interval(member)
    response = member_client.post(
        "/forum/new/", {"category": "baking", "title": "Another one", "body": "Body text"}
    )
    assert "please wait" in response.content.decode()
    assert "Body text" in response.content.decode()


def test_the_form_drops_bidi_and_invisible_characters_from_the_title_and_body(
    member_client, category
):
    response = member_client.post(
        "/forum/new/",
        {"category": "baking", "title": "Free\u202e loaves\u200b", "body": "Come\u2066 by"},
    )
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert topic.title == "Free loaves" and topic.posts.get().source == "Come by"
    assert "<h1>Free loaves</h1>" in member_client.get(topic.get_absolute_url()).content.decode()


def test_members_cannot_pick_an_announcements_category(member_client):
    make_category(name="News", slug="news", who_may_start=StartPermission.MODERATORS)
    make_category(name="Chat", slug="chat")
    page = member_client.get("/forum/new/").content.decode()
    assert 'value="chat"' in page and 'value="news"' not in page
    response = member_client.post(
        "/forum/new/", {"category": "news", "title": "My news", "body": "x"}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Topic.objects.exists()


def test_members_do_not_see_the_new_tags_field_and_moderators_do(
    member_client, moderator_client, category
):
    assert 'name="new_tags"' not in member_client.get("/forum/new/").content.decode()
    assert 'name="new_tags"' in moderator_client.get("/forum/new/").content.decode()
    moderator_client.post(
        "/forum/new/",
        {
            "category": "baking",
            "title": "House rules",
            "body": "Be kind",
            "new_tags": "rules, Meta",
        },
    )
    assert sorted(t.name for t in Topic.objects.get().tags.all()) == ["meta", "rules"]


def test_a_member_cannot_smuggle_new_tags_through_the_form(member_client, category):
    member_client.post(
        "/forum/new/",
        {"category": "baking", "title": "Sneaky tags", "body": "x", "new_tags": "brand-new"},
    )
    assert not Topic.objects.get().tags.exists()
    response = member_client.post(
        "/forum/new/",
        {"category": "baking", "title": "Sneaky tags", "body": "x", "tags": ["brand-new"]},
    )
    assert "Select a valid choice" in response.content.decode()


def test_visitors_are_sent_to_sign_in_to_post(visitor_client, topic, category):
    for url in ("/forum/new/", f"/forum/t/{topic.pk}/reply/"):
        response = visitor_client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = visitor_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Hi"})
    assert response.status_code == 302
    assert topic.posts.count() == 1


def test_posts_without_a_csrf_token_are_refused(csrf_client, member, topic):
    csrf_client.force_login(member)
    response = csrf_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "No token"})
    assert response.status_code == 403
    response = csrf_client.post(
        "/forum/new/", {"category": "baking", "title": "No token", "body": "x"}
    )
    assert response.status_code == 403
    assert topic.posts.count() == 1


def test_a_member_replies_and_lands_on_their_post(other_member_client, topic):
    response = other_member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Use more water"})
    assert response.status_code == 302
    assert response["Location"] == f"{topic.get_absolute_url()}#post-2"
    assert topic.posts.get(number=2).source == "Use more water"


def test_an_empty_reply_is_refused_and_the_form_shown_again(other_member_client, topic):
    response = other_member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "   \n "})
    assert response.status_code == 200
    assert "Write something first: the post is empty." in response.content.decode()
    assert topic.posts.count() == 1


def test_a_reply_over_the_limit_keeps_the_text(other_member_client, topic):
    body = "word " * 4001
    response = other_member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": body})
    page = response.content.decode()
    assert "A post can be at most 20,000 characters (this one has 20,005)." in page
    assert "word word word" in page


def test_a_reply_to_a_locked_topic_gets_a_clear_message_and_keeps_the_text(
    other_member_client, moderator, topic
):
    actions.set_locked(topic=topic, moderator=moderator, locked=True)
    response = other_member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Too late?"})
    page = response.content.decode()
    assert "This topic is locked: it no longer takes replies." in page
    assert "Too late?" in page
    assert topic.posts.count() == 1
    topic_page = other_member_client.get(topic.get_absolute_url()).content.decode()
    assert "This topic is locked: it no longer takes replies." in topic_page
    assert 'name="body"' not in topic_page


def test_replies_to_hidden_or_unknown_topics_are_404(other_member_client, moderator, topic):
    assert other_member_client.post("/forum/t/9999/reply/", {"body": "x"}).status_code == 404
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    assert other_member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "x"}).status_code == 404


def test_the_reply_page_quotes_a_post(other_member_client, topic):
    post = topic.posts.get(number=1)
    page = other_member_client.get(f"/forum/t/{topic.pk}/reply/?quote={post.pk}").content.decode()
    assert "@maya wrote:\n&gt; Hello everyone, this is the opening post." in page


def test_the_quote_endpoint_returns_markdown_for_the_reply_box(
    other_member_client, visitor_client, topic
):
    post = topic.posts.get(number=1)
    response = other_member_client.get(f"/forum/p/{post.pk}/quote/")
    assert response["Content-Type"].startswith("text/plain")
    assert (
        response.content.decode() == "@maya wrote:\n> Hello everyone, this is the opening post.\n\n"
    )
    assert visitor_client.get(f"/forum/p/{post.pk}/quote/").status_code == 302


def test_a_reply_with_an_image_needs_alt_text(other_member_client, topic):
    response = other_member_client.post(
        f"/forum/t/{topic.pk}/reply/", {"body": "See photo", "image": image_upload()}
    )
    assert "Describe the image in a few words." in response.content.decode()
    response = other_member_client.post(
        f"/forum/t/{topic.pk}/reply/",
        {"body": "See photo", "image": image_upload(), "image_alt": "My oven"},
    )
    assert response.status_code == 302
    assert 'alt="My oven"' in topic.posts.get(number=2).html


def test_a_non_image_upload_gets_a_clear_error(other_member_client, topic):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bogus = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    response = other_member_client.post(
        f"/forum/t/{topic.pk}/reply/", {"body": "x", "image": bogus, "image_alt": "x"}
    )
    assert response.status_code == 200
    assert "JPEG, PNG or WebP" in response.content.decode()


# --- editing ----------------------------------------------------------------------


def test_the_author_edits_their_post_and_it_is_marked_edited(member_client, topic):
    post = topic.posts.get(number=1)
    response = member_client.post(
        f"/forum/p/{post.pk}/edit/", {"title": "Crumb structure, solved", "body": "New **text**"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.html == "<p>New <strong>text</strong></p>\n"
    assert post.edited_at is not None and post.revisions.count() == 1
    assert topic.title == "Crumb structure, solved" and topic.slug == "crumb-structure-solved"
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert ">edited</a>" in page


def test_others_cannot_edit_a_post(other_member_client, visitor_client, topic):
    post = topic.posts.get(number=1)
    assert other_member_client.get(f"/forum/p/{post.pk}/edit/").status_code == 403
    assert (
        other_member_client.post(f"/forum/p/{post.pk}/edit/", {"body": "Mine now"}).status_code
        == 403
    )
    assert visitor_client.get(f"/forum/p/{post.pk}/edit/").status_code == 302
    post.refresh_from_db()
    assert post.source != "Mine now"


def test_authors_edit_for_24_hours_and_moderators_always(member_client, moderator_client, topic):
    post = topic.posts.get(number=1)
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert member_client.get(f"/forum/p/{post.pk}/edit/").status_code == 403
    response = moderator_client.post(
        f"/forum/p/{post.pk}/edit/", {"title": topic.title, "body": "Cleaned up by a moderator"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.source == "Cleaned up by a moderator"


def test_editing_a_reply_does_not_offer_the_title(other_member, other_member_client, topic):
    reply = make_reply(topic=topic, author=other_member)
    page = other_member_client.get(f"/forum/p/{reply.pk}/edit/").content.decode()
    assert 'name="title"' not in page and 'name="body"' in page
    other_member_client.post(f"/forum/p/{reply.pk}/edit/", {"body": "Better reply"})
    reply.refresh_from_db()
    assert reply.source == "Better reply"


def test_an_edit_that_adds_a_mention_notifies_only_the_new_person(
    member, other_member, editor, topic
):
    from community.models import Notification

    post = topic.posts.get(number=1)
    actions.edit_post(post=post, editor=member, body="Thanks @sam", title=topic.title, tags=[])
    actions.edit_post(
        post=post, editor=member, body="Thanks @sam and @eddie", title=topic.title, tags=[]
    )
    assert Notification.objects.filter(recipient=other_member, kind="forum_mention").count() == 1
    assert Notification.objects.filter(recipient=editor, kind="forum_mention").count() == 1


# --- deleting ---------------------------------------------------------------------


def test_the_author_deletes_a_reply_and_a_placeholder_remains(
    other_member, other_member_client, topic
):
    reply = make_reply(topic=topic, author=other_member, body="Oops, wrong topic")
    assert other_member_client.get(f"/forum/p/{reply.pk}/delete/").status_code == 200
    response = other_member_client.post(f"/forum/p/{reply.pk}/delete/")
    assert response.status_code == 302
    page = other_member_client.get(topic.get_absolute_url()).content.decode()
    assert "This post was deleted." in page and "Oops, wrong topic" not in page
    topic.refresh_from_db()
    assert topic.reply_count == 0 and topic.last_poster_id == topic.author_id


def test_others_cannot_delete_a_post(member_client, other_member, topic):
    reply = make_reply(topic=topic, author=other_member)
    assert member_client.post(f"/forum/p/{reply.pk}/delete/").status_code == 403
    reply.refresh_from_db()
    assert reply.deleted_at is None


def test_an_author_cannot_delete_a_topic_that_has_replies(member_client, other_member, topic):
    make_reply(topic=topic, author=other_member)
    response = member_client.post(f"/forum/p/{topic.posts.get(number=1).pk}/delete/", follow=True)
    assert "This topic has replies" in response.content.decode()
    topic.refresh_from_db()
    assert topic.deleted_at is None


def test_deleting_the_opening_post_of_a_quiet_topic_deletes_the_topic(
    member_client, topic, category
):
    response = member_client.post(f"/forum/p/{topic.posts.get(number=1).pk}/delete/")
    assert response["Location"] == category.get_absolute_url()
    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.deleted_at is not None and category.topic_count == 0


@pytest.mark.parametrize("path", ["react", "solution", "watch", "moderate", "flags"])
def test_action_endpoints_refuse_get(member_client, topic, path):
    post = topic.posts.get(number=1)
    url = {
        "react": f"/forum/p/{post.pk}/react/",
        "solution": f"/forum/p/{post.pk}/solution/",
        "watch": f"/forum/t/{topic.pk}/watch/",
        "moderate": f"/forum/t/{topic.pk}/moderate/",
        "flags": f"/forum/flags/{post.pk}/",
    }[path]
    assert member_client.get(url).status_code == 405


def test_write_pages_refuse_put_and_delete(member_client, topic):
    post = topic.posts.get(number=1)
    for url in ("/forum/new/", f"/forum/t/{topic.pk}/reply/", f"/forum/p/{post.pk}/edit/"):
        assert member_client.put(url).status_code == 405
        assert member_client.delete(url).status_code == 405
