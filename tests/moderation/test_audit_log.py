"""The audit log reads as sentences naming who and what, with links, for moderators."""

from __future__ import annotations

import html

import pytest
from django.utils import dateformat, timezone
from wagtail.models import ModelLogEntry

from community.chat import actions as chat_actions
from community.forum import actions as forum_actions
from community.moderation import actions
from tests.chat.factories import make_room
from tests.factories import make_moderator
from tests.forum.factories import make_category, make_topic

pytestmark = pytest.mark.django_db

HISTORY = "/admin/reports/site-history/"


def _history(client) -> str:
    response = client.get(HISTORY)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_silence_reads_as_a_sentence_with_a_link_to_the_member(silence, member, moderator_client):
    penalty = silence()
    until = dateformat.format(timezone.localtime(penalty.ends_at), "j M, H:i")
    page = _history(moderator_client)
    link = f'<a href="/admin/moderation/members/{member.pk}/">Maya</a>'
    assert f"Silenced {link} until {until} — Personal attacks" in page


def test_a_lift_keeps_the_typed_reason(silence, member, moderator_client):
    penalty = silence()
    other = make_moderator(username="sam_mod")
    actions.lift_penalty(penalty=penalty, moderator=other, reason="Sorted out in private")
    entry = ModelLogEntry.objects.get(action="hearth.penalty.lift")
    assert entry.user_id == other.pk and entry.data["reason"] == "Sorted out in private"
    assert "— “Sorted out in private”" in _history(moderator_client)


def test_appeal_and_decision_are_logged_in_words(silence, member, moderator_client):
    penalty = silence()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    other = make_moderator(username="sam_mod")
    actions.decide_appeal(appeal=appeal, moderator=other, decision="uphold", reply="It stands.")
    page = _history(moderator_client)
    assert "appealed against being silenced" in page
    assert "Decided the appeal of" in page and "upheld it" in page
    assert "reply: “It stands.”" in page


def test_a_mute_and_unmute_name_the_member_and_the_room(member, moderator, moderator_client):
    room = make_room(name="Bread talk")
    chat_actions.mute_member(
        room=room, member=member, moderator=moderator, minutes=60, reason="heated"
    )
    chat_actions.unmute_member(room=room, member=member, moderator=moderator, reason="calmer now")
    page = _history(moderator_client)
    assert "in the room Bread talk until" in page and "— heated" in page
    assert "Lifted the mute of" in page and "— “calmer now”" in page


def test_a_move_names_the_categories_not_their_slugs(member, moderator, moderator_client):
    bread = make_category(name="Bread & baking", slug="bread")
    pastry = make_category(name="Pastry corner", slug="pastry")
    topic = make_topic(author=member, category=bread, title="Laminating in summer")
    forum_actions.move_topic(topic=topic, moderator=moderator, category=pastry)
    page = _history(moderator_client)
    assert "from “Bread & baking” to “Pastry corner”" in page
    assert "Laminating in summer</a>" in page


def test_a_hidden_post_is_named_by_its_topic_title(member, moderator, moderator_client):
    topic = make_topic(author=member, title="Sourdough hydration")
    post = topic.posts.get()
    forum_actions.hide_post(post=post, moderator=moderator, reason="Off-topic")
    page = _history(moderator_client)
    assert "post #1</a> by Maya in “Sourdough hydration” — “Off-topic”" in page
