"""Who sees what, on every surface that shows a topic or a post, for each persona.

The rule lives in one place (Topic.objects.visible_to, Post.objects.visible_to): hidden
topics and posts are for moderators, members-only categories for signed-in members,
deleted things for no one. Lists (forum pages, home and profile sections, search) never
show hidden topics, even to moderators; they have their own page for those.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from community.forum import actions
from community.forum.models import Post, ReadAccess, Topic
from community.models import Notification
from tests.factories import make_moderator
from tests.forum.factories import make_category, make_reply, make_tag, make_topic

PERSONAS = ("visitor", "member", "moderator")
SIGN_IN = "sign in"


@dataclass
class Forum:
    """One of each kind of thing a reader may or may not see (titles share "Loaf")."""

    open: Topic
    reply: Post
    hidden_reply: Post
    hidden: Topic
    private: Topic
    deleted: Topic

    def opening(self, topic: Topic) -> Post:
        return topic.posts.get(number=1)


@pytest.fixture
def forum(db, member, other_member, moderator) -> Forum:
    public = make_category(name="Baking", slug="baking")
    back_room = make_category(name="Back room", slug="back-room", read_access=ReadAccess.MEMBERS)
    make_tag("loaves")
    tags = ("loaves",)
    open_topic = make_topic(author=member, category=public, title="Open loaf talk", tags=tags)
    reply = make_reply(topic=open_topic, author=other_member, body="A plain reply")
    hidden_reply = make_reply(topic=open_topic, author=other_member, body="A rude reply")
    actions.hide_post(post=hidden_reply, moderator=moderator, reason="Rude")
    hidden = make_topic(author=member, category=public, title="Hidden loaf spam", tags=tags)
    actions.hide_topic(topic=hidden, moderator=moderator, reason="Spam")
    private = make_topic(author=member, category=back_room, title="Private loaf plans", tags=tags)
    deleted = make_topic(author=member, category=public, title="Deleted loaf musing", tags=tags)
    actions.delete_post(post=deleted.posts.get(number=1), member=member)
    return Forum(open_topic, reply, hidden_reply, hidden, private, deleted)


@pytest.fixture
def clients(visitor_client, member_client, moderator_client) -> dict[str, Client]:
    return {"visitor": visitor_client, "member": member_client, "moderator": moderator_client}


def _answer(response) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return SIGN_IN
    return response.status_code


def _check(clients: dict[str, Client], url: str, expected: dict[str, int | str]) -> None:
    got = {persona: _answer(clients[persona].get(url)) for persona in PERSONAS}
    assert got == expected, url


def _everyone(answer: int | str) -> dict[str, int | str]:
    return dict.fromkeys(PERSONAS, answer)


def test_the_topic_page_shows_each_topic_to_the_right_people(clients, forum):
    _check(clients, forum.open.get_absolute_url(), _everyone(200))
    _check(
        clients,
        forum.hidden.get_absolute_url(),
        {"visitor": 404, "member": 404, "moderator": 200},
    )
    _check(
        clients,
        forum.private.get_absolute_url(),
        {"visitor": SIGN_IN, "member": 200, "moderator": 200},
    )
    _check(clients, forum.deleted.get_absolute_url(), _everyone(404))


def test_the_topic_page_shows_a_hidden_reply_only_to_moderators(clients, forum):
    pages = {p: clients[p].get(forum.open.get_absolute_url()).content.decode() for p in PERSONAS}
    for persona in ("visitor", "member"):
        assert "A plain reply" in pages[persona]
        assert "A rude reply" not in pages[persona]
        assert "This post was hidden by a moderator." in pages[persona]
    assert "A rude reply" in pages["moderator"]
    assert "Hidden from members: Rude" in pages["moderator"]


def test_permalinks_lead_to_a_post_wherever_its_topic_is_visible(clients, forum):
    in_place = _everyone(302)
    _check(clients, f"/forum/p/{forum.reply.pk}/", in_place)
    # A hidden reply keeps its place (a placeholder) in a topic everyone sees.
    _check(clients, f"/forum/p/{forum.hidden_reply.pk}/", in_place)
    hidden = forum.opening(forum.hidden)
    _check(clients, f"/forum/p/{hidden.pk}/", {"visitor": 404, "member": 404, "moderator": 302})
    private = forum.opening(forum.private)
    _check(clients, f"/forum/p/{private.pk}/", {"visitor": 404, "member": 302, "moderator": 302})
    _check(clients, f"/forum/p/{forum.opening(forum.deleted).pk}/", _everyone(404))


def test_the_edit_history_is_shown_to_those_who_may_read_the_post(clients, forum):
    history = "/forum/p/{}/history/"
    _check(clients, history.format(forum.reply.pk), _everyone(200))
    only_moderators = {"visitor": 404, "member": 404, "moderator": 200}
    _check(clients, history.format(forum.hidden_reply.pk), only_moderators)
    _check(clients, history.format(forum.opening(forum.hidden).pk), only_moderators)
    _check(
        clients,
        history.format(forum.opening(forum.private).pk),
        {"visitor": 404, "member": 200, "moderator": 200},
    )
    _check(clients, history.format(forum.opening(forum.deleted).pk), _everyone(404))


def test_quotes_are_for_members_and_only_of_posts_they_may_read(clients, forum):
    quote = "/forum/p/{}/quote/"
    _check(
        clients,
        quote.format(forum.reply.pk),
        {"visitor": SIGN_IN, "member": 200, "moderator": 200},
    )
    only_moderators = {"visitor": SIGN_IN, "member": 404, "moderator": 200}
    _check(clients, quote.format(forum.hidden_reply.pk), only_moderators)
    _check(clients, quote.format(forum.opening(forum.hidden).pk), only_moderators)
    _check(
        clients,
        quote.format(forum.opening(forum.private).pk),
        {"visitor": SIGN_IN, "member": 200, "moderator": 200},
    )
    # The reply page quotes the same way: a post the reader may not read is a 404.
    reply_page = f"/forum/t/{forum.open.pk}/reply/?quote={forum.hidden_reply.pk}"
    assert clients["member"].get(reply_page).status_code == 404
    assert "A rude reply" in clients["moderator"].get(reply_page).content.decode()


@pytest.mark.parametrize(
    "url",
    ["/search/?q=loaf", "/", "/members/maya/", "/forum/", "/forum/tags/loaves/"],
    ids=["search", "home", "profile", "forum index", "tag page"],
)
def test_lists_show_listed_topics_and_members_only_ones_to_members(clients, forum, url):
    for persona in PERSONAS:
        page = clients[persona].get(url).content.decode()
        assert "Open loaf talk" in page, (persona, url)
        assert ("Private loaf plans" in page) == (persona != "visitor"), (persona, url)
        assert "Hidden loaf spam" not in page, (persona, url)
        assert "Deleted loaf musing" not in page, (persona, url)


def test_the_tags_page_counts_only_topics_the_reader_may_see(clients, forum):
    counts = {p: clients[p].get("/forum/tags/").content.decode() for p in PERSONAS}
    assert "(1)" in counts["visitor"]
    assert "(2)" in counts["member"] and "(2)" in counts["moderator"]


def test_the_category_page_lists_hidden_topics_only_for_moderators(clients, forum):
    url = "/forum/c/baking/?show=hidden"
    for persona in PERSONAS:
        page = clients[persona].get(url).content.decode()
        assert ("Hidden loaf spam" in page) == (persona == "moderator"), persona
        assert "Deleted loaf musing" not in page, persona


@pytest.mark.parametrize("kind", ["forum_reply", "forum_mention"])
def test_replies_in_a_hidden_topic_notify_only_moderators(forum, other_member, kind):
    # The topic's author (a member) watches it; another member and a moderator watch it
    # too, or are mentioned in the reply.
    watcher = make_moderator(username="watcher")
    watching = kind == "forum_reply"
    for reader in (other_member, watcher):
        actions.set_watching(topic=forum.hidden, member=reader, watching=watching)
    Notification.objects.all().delete()
    body = "Any news?" if watching else "Any news, @sam and @watcher?"
    make_reply(topic=forum.hidden, author=make_moderator(), body=body)
    told = set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))
    assert told == {"watcher"}
