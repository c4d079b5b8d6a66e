"""A topic page's rows (the topic, its tags, the page's posts, their authors' badges) are
kept per kind of reader (community/forum/topic_rows.py). Each test has one reader of a
kind read the page (the rows are kept), changes something, and has *another* reader of
the same kind read it: the change shows at once, and what belongs to one reader (their
own held posts, a held topic of theirs) never reaches another. The cache is the real one
of the settings (local memory here, Redis on the PostgreSQL lane)."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from community.forum import actions
from community.forum.actions.posting import approve_held_post, reject_held_post
from community.forum.models import Category, ReadAccess
from referrals import badges
from tests.factories import image_bytes, make_member, make_moderator
from tests.forum.factories import make_category, make_reply, make_tag, make_topic
from tests.forum.test_fragments import _page, _post

pytestmark = pytest.mark.django_db

# Three links from a new member: a spam signal holds the post (community.forum.spam).
LINKS = "Try https://a.example, https://b.example and https://c.example today."


@pytest.fixture
def topic(member, other_member):
    make_tag("rye")
    topic = make_topic(
        author=member,
        category=make_category(name="Baking"),
        title="Keeping a starter alive",
        body="Feed it daily.",
        tags=("rye",),
    )
    make_reply(topic=topic, author=other_member, body="I keep mine in the fridge.")
    return topic


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _readers(kind: str) -> tuple[Client, Client]:
    """Two readers of one kind: the first keeps the rows, the second reads them."""
    if kind == "visitor":
        return Client(), Client()
    make = make_moderator if kind == "moderator" else make_member
    return _client(make()), _client(make())


KINDS = ["visitor", "member", "moderator"]


def test_the_second_member_reads_the_page_from_kept_rows(topic):
    first, second = _readers("member")
    _page(first, topic)
    _page(second, topic)  # their read position is written once
    with CaptureQueriesContext(connection) as queries:
        _page(second, topic)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert '"forum_post"."html"' not in sql  # the posts came from the kept rows
    assert "forum_topictag" not in sql and "referrals_memberbadge" not in sql


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_and_a_deletion_show_at_once(kind, topic, other_member):
    first, second = _readers(kind)
    _page(first, topic)
    post = topic.posts.get(number=2)
    actions.edit_post(post=post, editor=other_member, body="I keep mine on the counter.")
    shown = _post(_page(second, topic), 2)
    assert "counter" in shown and "fridge" not in shown and ">edited</a>" in shown
    actions.delete_post(post=topic.posts.get(number=2), member=other_member)
    assert "This post was deleted." in _post(_page(first, topic), 2)


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_reply_and_a_reaction_show_at_once(kind, topic, member, moderator):
    first, second = _readers(kind)
    _page(first, topic)
    make_reply(topic=topic, author=moderator, body="A warm spot helps.")
    actions.toggle_reaction(post=topic.posts.get(number=2), member=member, kind="like")
    page = _page(second, topic)
    assert "A warm spot helps." in _post(page, 3)
    assert re.search(r'title="Like">.*?reaction__count">1<', _post(page, 2), re.S)


def test_hiding_shows_each_kind_its_own_view(topic, moderator):
    members, moderators = _readers("member"), _readers("moderator")
    _page(members[0], topic)
    _page(moderators[0], topic)
    actions.hide_post(post=topic.posts.get(number=2), moderator=moderator, reason="Off topic")
    seen_by_member = _post(_page(members[1], topic), 2)
    assert "This post was hidden by a moderator." in seen_by_member
    assert "fridge" not in seen_by_member
    seen_by_moderator = _post(_page(moderators[1], topic), 2)
    assert "Hidden from members: Off topic" in seen_by_moderator and "fridge" in seen_by_moderator


def test_a_solution_shows_at_once(topic, member):
    first, second = _readers("member")
    _page(first, topic)
    actions.mark_solution(post=topic.posts.get(number=2), member=member)
    assert "✔ Solution" in _post(_page(second, topic), 2)


@pytest.mark.parametrize("kind", ["member", "moderator"])
def test_an_authors_new_name_avatar_and_badge_show_at_once(kind, topic, other_member):
    first, second = _readers(kind)
    _page(first, topic)
    other_member.display_name = "Samira"
    other_member.save(update_fields=["display_name"])
    assert ">Samira</a>" in _post(_page(second, topic), 2)
    other_member.avatar.save("face.png", ContentFile(image_bytes()), save=True)
    assert f'src="{other_member.avatar.url}"' in _post(_page(first, topic), 2)
    badge = badges.CATALOGUE[0]
    badges.grant(member=other_member, badge=badge)
    assert f"badge: </span>{badge.name}</a>" in _post(_page(second, topic), 2)


def test_a_badge_speaks_each_readers_language(topic, other_member):
    badge = badges.CATALOGUE[0]
    badges.grant(member=other_member, badge=badge)
    named = {}
    for language in ("en-gb", "et"):
        page = _post(_page(_client(make_member(language=language)), topic), 2)
        named[language] = re.search(
            r'class="member-badge.*?"visually-hidden">[^<]*</span>([^<]+)</a>', page
        ).group(1)
    for language, name in named.items():
        with translation.override(language):
            assert name == str(badge.name)
    assert named["en-gb"] != named["et"]


def test_the_topic_its_tags_and_its_category_show_changes_at_once(topic, moderator):
    first, second = _readers("member")
    _page(first, topic)
    topic.title = "Keeping a starter alive for years"
    topic.save(update_fields=["title"])
    topic.tags.add(make_tag("spelt"))
    category = Category.objects.get(pk=topic.category_id)
    category.name = "Bread"
    category.save(update_fields=["name"])
    actions.set_locked(topic=topic, moderator=moderator, locked=True)
    page = _page(second, topic)
    assert "Keeping a starter alive for years" in page
    assert ">spelt</a>" in page and ">Bread</a>" in page
    assert 'name="body"' not in page  # locked: no reply box


def test_a_moved_topic_shows_its_new_category(topic, moderator):
    first, second = _readers("member")
    _page(first, topic)
    elsewhere = make_category(name="Pastry")
    actions.move_topic(topic=topic, moderator=moderator, category=elsewhere)
    assert ">Pastry</a>" in _page(second, topic)


def test_a_hidden_topic_is_gone_for_members_and_kept_for_moderators(topic, moderator):
    members, moderators = _readers("member"), _readers("moderator")
    _page(members[0], topic)
    _page(moderators[0], topic)
    actions.hide_topic(topic=topic, moderator=moderator, reason="Spam")
    assert members[1].get(topic.get_absolute_url()).status_code == 404
    assert moderators[1].get(topic.get_absolute_url()).status_code == 200


def test_a_members_category_topic_never_reaches_visitors(topic, other_member):
    closed = make_category(name="Back room", read_access=ReadAccess.MEMBERS)
    inside = make_topic(author=other_member, category=closed, title="Members talk")
    assert "Members talk" in _page(_client(make_member()), inside)
    response = Client().get(inside.get_absolute_url())
    assert response.status_code in (302, 404) and b"Members talk" not in response.content


def test_a_held_post_is_its_authors_alone_until_approved(topic, moderator):
    first, second = _readers("member")
    newcomer = make_member(username="nora", joined_days_ago=3, trust_level=0)
    author, moderators = _client(newcomer), _readers("moderator")
    _page(first, topic)
    held = make_reply(topic=topic, author=newcomer, body=LINKS)
    assert held.held_at is not None
    # Its author sees it on the page others read from kept rows; nobody else does.
    assert "b.example" in _post(_page(author, topic), 3)
    for reader in (first, second):
        assert 'id="post-3"' not in _page(reader, topic)
    # The author's page was not kept for the others, nor theirs for the author.
    assert "b.example" in _post(_page(author, topic), 3)
    for moderator_client in moderators:
        assert "b.example" in _page(moderator_client, topic)
    approve_held_post(post=held, moderator=moderator)
    assert "b.example" in _post(_page(second, topic), 3)


def test_a_rejected_held_post_leaves_its_authors_page(topic, moderator):
    newcomer = make_member(username="nora", joined_days_ago=3, trust_level=0)
    held = make_reply(topic=topic, author=newcomer, body=LINKS)
    author = _client(newcomer)
    assert "b.example" in _page(author, topic)
    reject_held_post(post=held, moderator=moderator, reason="Too many links")
    assert "b.example" not in _page(author, topic)


def test_a_held_topic_is_its_authors_alone(other_member):
    newcomer = make_member(username="nora", joined_days_ago=3, trust_level=0)
    category = make_category(name="Baking")
    author, another = _client(newcomer), _client(make_member())
    held = make_topic(author=newcomer, category=category, title="My course", body=LINKS)
    assert held.held_at is not None
    for _ in range(2):  # the second read would find kept rows if the first had kept them
        assert "My course" in _page(author, held)
        assert another.get(held.get_absolute_url()).status_code == 404
        assert Client().get(held.get_absolute_url()).status_code in (302, 404)
