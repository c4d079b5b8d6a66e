"""Forum entries in the audit log read as sentences naming the topic, with links (issue 11)."""

from __future__ import annotations

import html

import pytest

from community.forum import actions as forum_actions
from community.forum.models import FlagOutcome
from tests.forum.factories import make_reply, make_topic
from tests.inbox.conftest import flagged_post

pytestmark = pytest.mark.django_db

HISTORY = "/admin/reports/site-history/"


def _history(client) -> str:
    response = client.get(HISTORY)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _topic_link(topic) -> str:
    return f'“<a href="{topic.get_absolute_url()}">{topic.title}</a>”'


def test_pin_lock_and_their_undoing_name_the_topic(member, moderator, moderator_client):
    topic = make_topic(author=member, title="Laminating in summer")
    for on in (True, False):
        forum_actions.set_pinned(topic=topic, moderator=moderator, pinned=on)
        forum_actions.set_locked(topic=topic, moderator=moderator, locked=on)

    page = _history(moderator_client)

    for verb in ("Pinned", "Unpinned", "Locked", "Unlocked"):
        assert f"{verb} the topic {_topic_link(topic)}" in page, verb
    assert "Topic pinned" not in page and "Topic unlocked" not in page


def test_a_topic_shown_again_is_named(member, moderator, moderator_client):
    topic = make_topic(author=member, title="Crumb shots")
    forum_actions.hide_topic(topic=topic, moderator=moderator, reason="Off-topic")
    forum_actions.unhide_topic(topic=topic, moderator=moderator)

    page = _history(moderator_client)

    assert f"Made the topic {_topic_link(topic)} visible again" in page
    assert "Topic visible again" not in page


def test_a_restored_post_names_its_author_and_topic(member, moderator, moderator_client):
    topic = make_topic(author=moderator, title="Sourdough hydration")
    post = make_reply(topic=topic, author=member)
    forum_actions.hide_post(post=post, moderator=moderator, reason="Off-topic")
    forum_actions.unhide_post(post=post, moderator=moderator, reason="Appeal upheld")

    page = _history(moderator_client)

    link = f'<a href="{topic.post_url(2)}">post #2</a>'
    assert f"Restored {link} by Maya in “Sourdough hydration” — “Appeal upheld”" in page
    assert "Post visible again" not in page


def test_a_post_deleted_by_a_moderator_is_named(member, moderator, moderator_client):
    topic = make_topic(author=moderator, title="Oven spring")
    post = make_reply(topic=topic, author=member)
    forum_actions.delete_post(post=post, member=moderator)

    page = _history(moderator_client)

    assert f'Deleted <a href="{topic.post_url(2)}">post #2</a> by Maya in “Oven spring”' in page
    assert "Post deleted by a moderator" not in page


def test_upheld_and_dismissed_flags_name_the_post(moderator, moderator_client):
    hidden, kept = flagged_post(), flagged_post(flaggers=2)
    forum_actions.resolve_flags(
        post=hidden, moderator=moderator, outcome=FlagOutcome.HIDDEN, reason="Spam"
    )
    forum_actions.resolve_flags(post=kept, moderator=moderator, outcome=FlagOutcome.DISMISSED)

    page = _history(moderator_client)

    upheld = f'<a href="{hidden.topic.post_url(hidden.number)}">post #2</a>'
    dismissed = f'<a href="{kept.topic.post_url(kept.number)}">post #2</a>'
    assert f"Upheld 3 flags on {upheld} by Sam Spam in “Rye starter tips” and hid it" in page
    assert f"Dismissed 2 flags on {dismissed} by Sam Spam in “Rye starter tips”" in page
    assert "Flags upheld: post hidden" not in page and "Flags dismissed" not in page


def test_an_edit_says_what_changed_in_whose_post(member, moderator, moderator_client):
    topic = make_topic(author=member, title="Rye ratios")
    post = topic.posts.get()
    forum_actions.edit_post(post=post, editor=moderator, body="Tidied.", title="Rye ratios, sorted")
    topic.refresh_from_db()

    page = _history(moderator_client)

    link = f'<a href="{topic.post_url(1)}">post #1</a>'
    assert f"Edited the title and text of {link} by Maya in “Rye ratios, sorted”" in page
    assert "Post edited by a moderator" not in page
