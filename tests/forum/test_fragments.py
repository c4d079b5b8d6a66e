"""The topic page keeps its posts' rendered fragments in the cache (forum/fragments.py).

Each test warms the cache with a reader's visit, changes something a reader would see,
and visits again: the change shows at once, for the right readers only. The cache is
the real one of the settings (local memory here, Redis on the PostgreSQL lane).
"""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from community.forum import actions
from community.forum.fragments import CSRF_MARK
from referrals import badges
from tests.factories import image_bytes, make_member
from tests.forum.factories import make_reply, make_topic


@pytest.fixture
def topic(db, member, other_member):
    topic = make_topic(author=member, title="Keeping a starter alive", body="Feed it daily.")
    make_reply(topic=topic, author=other_member, body="I keep mine in the fridge.")
    return topic


def _page(client, topic) -> str:
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _post(page: str, number: int) -> str:
    """One post's <article> of a topic page."""
    match = re.search(rf'<article id="post-{number}".*?</article>', page, re.S)
    assert match, f"post {number} is not on the page"
    return match.group(0)


def test_an_edit_shows_at_once(topic, other_member, other_member_client, visitor_client):
    assert "fridge" in _post(_page(visitor_client, topic), 2)
    _page(other_member_client, topic)
    post = topic.posts.get(number=2)
    actions.edit_post(post=post, editor=other_member, body="I keep mine on the counter.")
    for client in (visitor_client, other_member_client):
        shown = _post(_page(client, topic), 2)
        assert "counter" in shown and "fridge" not in shown
        assert ">edited</a>" in shown


def test_a_reaction_changes_the_count_for_everyone_and_is_mine_only_for_its_giver(
    topic, member, member_client, visitor_client
):
    third = make_member(username="tess")
    third_client = _client(third)
    for client in (member_client, visitor_client, third_client):
        _page(client, topic)
    post = topic.posts.get(number=2)
    actions.toggle_reaction(post=post, member=member, kind="like")

    mine = _post(_page(member_client, topic), 2)
    assert re.search(r'class="reaction is-mine" aria-pressed="true" title="Like"', mine)
    theirs = _post(_page(third_client, topic), 2)
    assert 'aria-pressed="true"' not in theirs
    assert re.search(
        r'title="Like">\s*<img class="reaction__icon" src="/static/icons/reactions/like.svg"'
        r".*?>1</span>",
        theirs,
        re.S,
    )
    assert re.search(r'title="Like">.*?reaction__count">1<', _post(_page(visitor_client, topic), 2))

    actions.toggle_reaction(post=post, member=member, kind="like")
    assert 'aria-pressed="true"' not in _post(_page(member_client, topic), 2)
    assert "reaction__count" not in _post(_page(visitor_client, topic), 2)


def test_hiding_shows_the_placeholder_to_members_and_the_reason_to_moderators(
    topic, moderator, member_client, moderator_client, visitor_client
):
    for client in (member_client, moderator_client, visitor_client):
        _page(client, topic)
    post = topic.posts.get(number=2)
    actions.hide_post(post=post, moderator=moderator, reason="Off topic for this thread")
    for client in (member_client, visitor_client):
        shown = _post(_page(client, topic), 2)
        assert "This post was hidden by a moderator." in shown and "fridge" not in shown
    seen_by_moderator = _post(_page(moderator_client, topic), 2)
    assert "Hidden from members: Off topic for this thread" in seen_by_moderator
    assert "fridge" in seen_by_moderator and "Unhide post" in seen_by_moderator

    actions.unhide_post(post=post, moderator=moderator)
    assert "fridge" in _post(_page(member_client, topic), 2)
    assert "Hide post" in _post(_page(moderator_client, topic), 2)


def test_a_deleted_post_shows_its_placeholder(topic, other_member, visitor_client):
    _page(visitor_client, topic)
    actions.delete_post(post=topic.posts.get(number=2), member=other_member)
    shown = _post(_page(visitor_client, topic), 2)
    assert "This post was deleted." in shown and "fridge" not in shown


def test_a_solution_is_marked_and_unmarked(topic, member, member_client, visitor_client):
    for client in (member_client, visitor_client):
        _page(client, topic)
    post = topic.posts.get(number=2)
    actions.mark_solution(post=post, member=member)
    assert "✔ Solution" in _post(_page(visitor_client, topic), 2)
    assert "Unmark solution" in _post(_page(member_client, topic), 2)
    actions.mark_solution(post=post, member=member)
    assert "✔ Solution" not in _post(_page(visitor_client, topic), 2)
    assert "Mark as solution" in _post(_page(member_client, topic), 2)


def test_an_authors_new_name_avatar_and_badge_show_at_once(topic, other_member, visitor_client):
    _page(visitor_client, topic)
    other_member.display_name = "Samira"
    other_member.save(update_fields=["display_name"])
    shown = _post(_page(visitor_client, topic), 2)
    assert ">Samira</a>" in shown and 'class="avatar avatar--initial' in shown

    other_member.avatar.save("face.png", ContentFile(image_bytes()), save=True)
    shown = _post(_page(visitor_client, topic), 2)
    assert f'src="{other_member.avatar.url}"' in shown

    badge = badges.CATALOGUE[0]
    badges.grant(member=other_member, badge=badge)
    assert f"badge: </span>{badge.name}</a>" in _post(_page(visitor_client, topic), 2)


def test_tools_follow_the_reader_not_the_cache(
    topic, member_client, other_member_client, moderator_client, visitor_client
):
    # The same post, read first by a visitor (cached), then by others.
    assert "Flag" not in _post(_page(visitor_client, topic), 2)
    by_author = _post(_page(other_member_client, topic), 2)
    assert ">Edit</a>" in by_author and ">Flag</a>" not in by_author
    by_member = _post(_page(member_client, topic), 2)
    assert ">Edit</a>" not in by_member and ">Flag</a>" in by_member
    assert "Moderate" not in by_member
    assert "Moderate" in _post(_page(moderator_client, topic), 2)


def test_forms_carry_the_readers_own_csrf_token(topic, member_client):
    page = _page(member_client, topic)
    assert CSRF_MARK not in page
    token = member_client.cookies["csrftoken"].value
    assert token
    values = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert values, "the page has forms"
    # A second reader gets their own token in the same cached fragments.
    other = _client(make_member(username="otto"))
    other_page = _page(other, topic)
    assert not values & set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', other_page))
    # And the token works: reacting through the page's form is accepted.
    post = topic.posts.get(number=2)
    form_token = re.search(
        rf'id="reactions-{post.pk}".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S
    ).group(1)
    member_client.handler.enforce_csrf_checks = True
    response = member_client.post(
        reverse("forum:react", args=[post.pk]), {"kind": "heart", "csrfmiddlewaretoken": form_token}
    )
    assert response.status_code == 302


def test_the_unread_marker_is_each_readers_own(topic, member, member_client, other_member_client):
    _page(other_member_client, topic)
    _page(member_client, topic)
    make_reply(topic=topic, author=make_member(username="ines"), body="Welcome both!")
    page = _page(member_client, topic)
    assert 'id="post-3" class="post is-unread"' in page
    assert 'id="post-2" class="post"' in page
    assert _post(page, 3).count("badge--unread") == 1


def test_the_unread_marker_speaks_the_readers_language(topic, member, member_client):
    _page(member_client, topic)
    make_reply(topic=topic, author=make_member(username="ines"), body="Welcome!")
    member.language = "et"
    member.save(update_fields=["language"])
    page = _page(member_client, topic)
    assert '<span class="badge badge--unread">Uus</span>' in _post(page, 3)
    assert ">New<" not in page


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_kept_reply_box_follows_the_readers_trust_level(topic, client):
    from community.trust import MEMBER

    newcomer = make_member(username="newcomer", trust_level=None, joined_days_ago=0)
    client.force_login(newcomer)
    assert 'name="images"' not in _page(client, topic)  # new members attach no images
    newcomer.trust_level_granted = MEMBER
    newcomer.save(update_fields=["trust_level_granted"])
    assert 'name="images"' in _page(client, topic)
