"""Reactions (htmx toggle and plain POST), solutions and watching."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from community.forum import actions
from community.forum.actions import PostingError
from community.forum.models import Reaction, TopicUser
from community.models import REACTION_KEYS, Notification
from community.signals import reaction_added
from tests.forum.factories import make_category, make_reply, make_topic


@pytest.fixture
def topic(member):
    return make_topic(author=member, category=make_category(), title="Rye or spelt?")


@pytest.fixture
def post(topic):
    return topic.posts.get(number=1)


def test_a_reaction_toggles_on_and_off(other_member, post):
    assert actions.toggle_reaction(post=post, member=other_member, kind="heart") is True
    post.refresh_from_db()
    assert post.reaction_counts == {"heart": 1}
    assert actions.toggle_reaction(post=post, member=other_member, kind="heart") is False
    post.refresh_from_db()
    assert post.reaction_counts == {}
    assert not Reaction.objects.exists()


def test_one_of_each_kind_per_member_per_post_is_a_database_rule(other_member, post):
    Reaction.objects.create(post=post, member=other_member, kind="like")
    with pytest.raises(IntegrityError):
        Reaction.objects.create(post=post, member=other_member, kind="like")


def test_different_kinds_and_members_add_up(other_member, moderator, post):
    actions.toggle_reaction(post=post, member=other_member, kind="like")
    actions.toggle_reaction(post=post, member=other_member, kind="laugh")
    actions.toggle_reaction(post=post, member=moderator, kind="like")
    post.refresh_from_db()
    assert post.reaction_counts == {"like": 2, "laugh": 1}


def test_a_reaction_notifies_the_author_and_sends_reaction_added_after_commit(
    member, other_member, post, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    reaction_added.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.toggle_reaction(post=post, member=other_member, kind="celebrate")
        with django_capture_on_commit_callbacks(execute=True):
            actions.toggle_reaction(post=post, member=other_member, kind="celebrate")  # removal
    finally:
        reaction_added.disconnect(receiver)
    assert len(received) == 1
    assert received[0]["obj"] == post and received[0]["author"] == member
    assert received[0]["reactor"] == other_member and received[0]["kind"] == "celebrate"
    # The referral hub needs no forum knowledge: what holds the post, and that it counts.
    assert received[0]["container"] == post.topic and received[0]["converts"] is True
    note = Notification.objects.get(recipient=member)
    assert note.kind == "forum_reaction" and "Sam reacted 🎉 to your post" in note.text


def test_members_cannot_react_to_their_own_posts_or_with_unknown_kinds(member, other_member, post):
    with pytest.raises(PostingError, match="your own post"):
        actions.toggle_reaction(post=post, member=member, kind="like")
    with pytest.raises(PostingError, match="Choose one of the reactions"):
        actions.toggle_reaction(post=post, member=other_member, kind="angry")


def test_htmx_toggles_and_returns_the_updated_buttons(other_member_client, post):
    response = other_member_client.post(
        f"/forum/p/{post.pk}/react/", {"kind": "like"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith(f'<div class="reactions" id="reactions-{post.pk}">')
    assert 'class="reaction is-mine" aria-pressed="true" title="Like"' in page
    assert '<span class="reaction__count">1</span>' in page
    response = other_member_client.post(
        f"/forum/p/{post.pk}/react/", {"kind": "like"}, headers={"HX-Request": "true"}
    )
    assert 'aria-pressed="true"' not in response.content.decode()


def test_the_plain_post_fallback_redirects_back_to_the_post(other_member_client, post, topic):
    response = other_member_client.post(f"/forum/p/{post.pk}/react/", {"kind": "insightful"})
    assert response.status_code == 302 and response["Location"] == topic.post_url(1)
    assert Reaction.objects.filter(kind="insightful").count() == 1


def test_bad_reaction_input_gets_a_message_not_an_error(other_member_client, post):
    response = other_member_client.post(
        f"/forum/p/{post.pk}/react/", {"kind": "<script>"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Choose one of the reactions shown." in response.content.decode()
    response = other_member_client.post(f"/forum/p/{post.pk}/react/", {}, follow=True)
    assert "Choose one of the reactions shown." in response.content.decode()


def test_reactions_on_posts_the_member_cannot_see_are_404(
    other_member_client, visitor_client, moderator, member, topic, post
):
    hidden = make_reply(topic=topic, author=member)
    actions.hide_post(post=hidden, moderator=moderator, reason="Rude")
    assert (
        other_member_client.post(f"/forum/p/{hidden.pk}/react/", {"kind": "like"}).status_code
        == 404
    )
    assert other_member_client.post("/forum/p/99999/react/", {"kind": "like"}).status_code == 404
    private = make_topic(author=member, category=make_category(read_access="members"))
    actions.hide_topic(topic=private, moderator=moderator, reason="x")
    first = private.posts.get(number=1)
    assert (
        other_member_client.post(f"/forum/p/{first.pk}/react/", {"kind": "like"}).status_code == 404
    )
    response = visitor_client.post(f"/forum/p/{post.pk}/react/", {"kind": "like"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Reaction.objects.exists()


def test_visitors_see_counts_but_no_buttons(visitor_client, other_member, post, topic):
    actions.toggle_reaction(post=post, member=other_member, kind="heart")
    page = visitor_client.get(topic.get_absolute_url()).content.decode()
    assert "reaction reaction--static" in page and "/react/" not in page


# --- solutions --------------------------------------------------------------------


def test_the_topic_author_marks_and_unmarks_the_solution(
    member, member_client, other_member, topic
):
    answer = make_reply(topic=topic, author=other_member, body="Use spelt.")
    response = member_client.post(f"/forum/p/{answer.pk}/solution/")
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.solution == answer
    note = Notification.objects.get(recipient=other_member, kind="forum_solution")
    assert note.text == f"Maya marked your post as the solution to “{topic.title}”"
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "✔ Solution" in page and "Unmark solution" in page
    member_client.post(f"/forum/p/{answer.pk}/solution/")
    topic.refresh_from_db()
    assert topic.solution is None


def test_only_the_author_or_a_moderator_marks_the_solution(
    other_member_client, moderator_client, other_member, topic
):
    answer = make_reply(topic=topic, author=other_member)
    assert other_member_client.post(f"/forum/p/{answer.pk}/solution/").status_code == 403
    assert moderator_client.post(f"/forum/p/{answer.pk}/solution/").status_code == 302
    topic.refresh_from_db()
    assert topic.solution == answer


def test_the_opening_post_cannot_be_the_solution(member_client, topic, post):
    response = member_client.post(f"/forum/p/{post.pk}/solution/", follow=True)
    assert "Only a visible reply can be marked as the solution." in response.content.decode()


def test_hiding_the_solution_clears_it(member, moderator, other_member, topic):
    answer = make_reply(topic=topic, author=other_member)
    actions.mark_solution(post=answer, member=member)
    actions.hide_post(post=answer, moderator=moderator, reason="Wrong and rude")
    topic.refresh_from_db()
    assert topic.solution is None


# --- watching ---------------------------------------------------------------------


def test_members_stop_and_start_watching_with_htmx_or_a_plain_post(member, member_client, topic):
    response = member_client.post(
        f"/forum/t/{topic.pk}/watch/", {"watching": "off"}, headers={"HX-Request": "true"}
    )
    assert "Not watching." in response.content.decode()
    assert TopicUser.objects.get(member=member, topic=topic).watching is False
    response = member_client.post(f"/forum/t/{topic.pk}/watch/", {"watching": "on"})
    assert response.status_code == 302
    assert TopicUser.objects.get(member=member, topic=topic).watching is True


def test_watching_needs_a_member_and_a_visible_topic(
    visitor_client, other_member_client, moderator, topic
):
    assert visitor_client.post(f"/forum/t/{topic.pk}/watch/", {"watching": "on"}).status_code == 302
    actions.hide_topic(topic=topic, moderator=moderator, reason="x")
    assert (
        other_member_client.post(f"/forum/t/{topic.pk}/watch/", {"watching": "on"}).status_code
        == 404
    )


def test_only_given_reactions_show_and_the_rest_wait_behind_one_control(
    member_client, member, other_member
):
    topic = make_topic(author=other_member, title="Oven spring")
    post = make_reply(topic=topic, author=other_member, body="Steam for the first 20 minutes.")
    page = member_client.get(topic.get_absolute_url()).content.decode()
    reactions = page.split(f'id="reactions-{post.pk}"', 1)[1].split("</div>", 1)[0]
    assert "reaction__count" not in reactions  # no row of zeros
    assert reactions.count("Add a reaction") == 1
    add = reactions.split("<details", 1)[1]
    assert all(f'id="react-{post.pk}-{key}"' in add for key in REACTION_KEYS)

    actions.toggle_reaction(post=post, member=member, kind="heart")
    page = member_client.get(topic.get_absolute_url()).content.decode()
    reactions = page.split(f'id="reactions-{post.pk}"', 1)[1].split("</div>", 1)[0]
    given, rest = reactions.split("<details", 1)
    assert f'id="react-{post.pk}-heart"' in given and 'reaction__count">1<' in given
    assert f'id="react-{post.pk}-heart"' not in rest


def test_reaction_buttons_show_the_sites_svg_icons_with_the_name_as_text(
    member_client, visitor_client, member, other_member
):
    topic = make_topic(author=other_member, title="Crumb shots")
    post = make_reply(topic=topic, author=other_member, body="Look at this crumb.")
    actions.toggle_reaction(post=post, member=member, kind="celebrate")
    page = member_client.get(topic.get_absolute_url()).content.decode()
    button = page.split(f'id="react-{post.pk}-celebrate"', 1)[1].split("</button>", 1)[0]
    assert (
        '<img class="reaction__icon" src="/static/icons/reactions/celebrate.svg" alt=""' in button
    )
    assert '<span class="visually-hidden">Celebrate</span>' in button and "🎉" not in button
    page = visitor_client.get(topic.get_absolute_url()).content.decode()
    static = page.split("reaction reaction--static", 1)[1].split("</span></span>", 1)[0]
    assert "/static/icons/reactions/celebrate.svg" in static and "🎉" not in static
