"""A member's activity on their profile: what they did in the forum, the days they
visited, and their choice to keep it for members only."""

from __future__ import annotations

from django.utils import timezone

from community.forum import actions
from community.models import MemberDay
from tests.forum.factories import make_reply, make_topic


def _activity(client, username: str) -> str:
    return client.get(f"/members/{username}/").content.decode()


def test_the_profile_counts_topics_replies_solutions_and_reactions(
    visitor_client, member, other_member
):
    topic = make_topic(author=member, title="Crumb too tight")
    answer = make_reply(topic=topic, author=other_member)
    make_reply(topic=topic, author=member)
    actions.mark_solution(post=answer, member=member)
    actions.toggle_reaction(post=answer, member=member, kind="heart")
    MemberDay.objects.create(member=other_member, day=timezone.localdate())
    page = _activity(visitor_client, "sam")
    assert "In the forum" in page
    assert "<dt>Replies</dt><dd>1</dd>" in page
    assert "<dt>Solutions</dt><dd>1</dd>" in page
    assert "<dt>Reactions received</dt><dd>1</dd>" in page
    assert "<dt>Reactions given</dt><dd>0</dd>" in page
    assert "Visited on 1 day." in page
    maya = _activity(visitor_client, "maya")
    assert (
        "<dt>Topics started</dt><dd>1</dd>" in maya and "<dt>Reactions given</dt><dd>1</dd>" in maya
    )


def test_hidden_posts_do_not_count_for_visitors(visitor_client, member, other_member, moderator):
    topic = make_topic(author=member)
    reply = make_reply(topic=topic, author=other_member)
    actions.hide_post(post=reply, moderator=moderator, reason="Rude")
    assert "In the forum" not in _activity(visitor_client, "sam")


def test_a_member_can_keep_their_activity_for_members(
    visitor_client, member_client, other_member_client, member
):
    make_topic(author=member, title="My sourdough diary")
    form = member_client.get("/members/maya/edit/").content.decode()
    assert "Show my activity (topics, replies, guides) to visitors" in form
    member.activity_public = False
    member.save(update_fields=["activity_public"])
    page = _activity(visitor_client, "maya")
    assert "My sourdough diary" not in page and "In the forum" not in page
    assert "Maya shares their activity with members only." in page
    assert "My sourdough diary" in _activity(other_member_client, "maya")
