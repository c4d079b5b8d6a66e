"""While a member writes: the live preview is what will be posted, and the draft is kept
as they type, put back when they return, and gone once they post."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from community.forum import actions
from community.forum.models import Draft
from tests.factories import make_member
from tests.forum.factories import make_category, make_topic

BODY = "**Bold** advice for @sam: see https://example.com/bread and <script>x()</script>"


@pytest.fixture
def topic(other_member):
    return make_topic(author=other_member, title="Crumb too tight")


def test_the_preview_is_exactly_what_is_posted(member_client, member, other_member, topic):
    response = member_client.post("/forum/preview/", {"body": BODY})
    assert response.status_code == 200
    preview = response.json()["html"]
    assert "<strong>Bold</strong>" in preview and "<script" not in preview
    assert 'href="/members/sam/"' in preview
    post = actions.reply(topic=topic, author=member, body=BODY)
    assert post.html == preview


def test_a_new_members_preview_keeps_links_as_text_as_their_post_will(db):
    client = Client()
    client.force_login(make_member(joined_days_ago=3, trust_level=0))
    html = client.post("/forum/preview/", {"body": "See https://example.com/x"}).json()["html"]
    assert "<a " not in html and "https://example.com/x" in html


def test_the_preview_refuses_with_the_posting_rules_words(member_client):
    empty = member_client.post("/forum/preview/", {"body": "   "})
    assert empty.status_code == 400 and empty.json()["error"].startswith("Write something")
    long = member_client.post("/forum/preview/", {"body": "x" * (actions.MAX_POST_CHARS + 5)})
    assert long.status_code == 400 and "20,000" in long.json()["error"]


def test_visitors_get_no_preview_and_no_draft(visitor_client):
    assert visitor_client.post("/forum/preview/", {"body": "Hi"}).status_code == 302
    assert visitor_client.post("/forum/drafts/", {"key": "topic", "body": "Hi"}).status_code == 302
    assert visitor_client.get("/forum/preview/").status_code == 405


def test_a_reply_draft_is_kept_put_back_and_gone_once_posted(member_client, member, topic):
    key = f"reply:{topic.pk}"
    response = member_client.post("/forum/drafts/", {"key": key, "body": "Half a thought"})
    assert response.json() == {"saved": True}
    member_client.post("/forum/drafts/", {"key": key, "body": "Half a thought, and more"})
    assert Draft.objects.get(member=member).body == "Half a thought, and more"
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert '<script id="forum-draft" type="application/json">' in page
    data = page.split('<script id="forum-draft" type="application/json">')[1].split("</script>")[0]
    assert json.loads(data) == {"key": key, "body": "Half a thought, and more"}
    member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Half a thought, and more"})
    assert not Draft.objects.exists()


def test_a_new_topic_draft_fills_the_form_on_return(member_client, member):
    make_category()
    member_client.post("/forum/drafts/", {"key": "topic", "title": "Rye ratios", "body": "80/20?"})
    page = member_client.get("/forum/new/").content.decode()
    assert 'value="Rye ratios"' in page and "80/20?</textarea>" in page


def test_an_emptied_draft_is_forgotten(member_client, member):
    member_client.post("/forum/drafts/", {"key": "topic", "body": "Something"})
    response = member_client.post("/forum/drafts/", {"key": "topic", "body": "  ", "title": ""})
    assert response.json() == {"saved": False}
    assert not Draft.objects.exists()


@pytest.mark.parametrize("key", ["", "reply:", "reply:abc", "reply:999999", "other:1", "reply:²"])
def test_a_draft_for_nothing_the_member_can_write_in_is_refused(member_client, key):
    response = member_client.post("/forum/drafts/", {"key": key, "body": "Hi"})
    assert response.status_code == 400
    assert response.json()["error"] == "That draft belongs to nothing you can write in."
    assert not Draft.objects.exists()


def test_a_draft_on_a_hidden_topic_is_refused(member_client, topic, moderator):
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    response = member_client.post("/forum/drafts/", {"key": f"reply:{topic.pk}", "body": "Hi"})
    assert response.status_code == 400


def test_an_over_long_draft_is_refused_not_cut(member_client):
    response = member_client.post(
        "/forum/drafts/", {"key": "topic", "body": "x" * (actions.MAX_POST_CHARS * 2 + 1)}
    )
    assert response.status_code == 400 and "at most" in response.json()["error"]
    assert not Draft.objects.exists()


def test_one_members_draft_is_not_anothers(member_client, topic):
    other = make_member()
    actions.save_draft(member=other, key=f"reply:{topic.pk}", body="Private musings")
    assert "Private musings" not in member_client.get(topic.get_absolute_url()).content.decode()
