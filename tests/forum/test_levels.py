"""Notification levels per topic, category and tag: watching (every post), tracking (the
unread count in lists), normal (mentions and answers), muted (nothing, and out of lists)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community.forum import actions, page_cache
from community.forum.actions import PostingError
from community.forum.models import (
    CategoryUser,
    NotificationEmails,
    NotificationLevel,
    TagUser,
    TopicUser,
)
from community.models import Notification
from tests.factories import make_member
from tests.forum.factories import (
    forget_rate_limit,
    make_category,
    make_reply,
    make_tag,
    make_topic,
)

WATCHING, TRACKING, NORMAL, MUTED = (
    NotificationLevel.WATCHING,
    NotificationLevel.TRACKING,
    NotificationLevel.NORMAL,
    NotificationLevel.MUTED,
)
LISTS = ["/forum/latest/", "/forum/new-topics/", "/forum/unread/", "/forum/top/", "/forum/"]


@pytest.fixture
def baking(db):
    return make_category(name="Baking", slug="baking")


@pytest.fixture
def tools(db):
    return make_category(name="Tools", slug="tools")


def _titles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    topics = response.context["latest" if url == "/forum/" else "topics"]
    return [t.title for t in topics]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notes(member, kind: str | None = None) -> list[str]:
    notes = Notification.objects.filter(recipient=member)
    if kind:
        notes = notes.filter(kind=kind)
    return list(notes.order_by("id").values_list("text", flat=True))


# --- watching -----------------------------------------------------------------------


def test_watching_a_category_notifies_of_each_new_topic_and_each_reply(
    member, other_member, baking, tools
):
    actions.set_category_level(category=baking, member=member, level="watching")
    topic = make_topic(author=other_member, category=baking, title="Rye starter")
    make_topic(author=other_member, category=tools, title="Sharpening knives")
    assert _notes(member) == ["Sam started “Rye starter” in Baking"]
    note = Notification.objects.get(recipient=member)
    assert note.url == topic.get_absolute_url() and note.kind == "forum_topic"
    make_reply(topic=topic, author=other_member, body="It bubbles now.")
    assert _notes(member, "forum_reply") == ["Sam replied in “Rye starter”"]


def test_watching_a_tag_notifies_of_new_topics_with_it(member, other_member, baking):
    make_tag("sourdough")
    actions.set_tag_level(tag=make_tag("sourdough"), member=member, level="watching")
    make_topic(author=other_member, category=baking, title="Tagged", tags=("sourdough",))
    make_topic(author=other_member, category=baking, title="Not tagged")
    assert _notes(member) == ["Sam started “Tagged” in Baking"]


def test_watching_a_topic_notifies_of_every_reply(member, other_member, baking):
    topic = make_topic(author=other_member, category=baking, title="Crumb")
    actions.set_topic_level(topic=topic, member=member, level="watching")
    make_reply(topic=topic, author=other_member)
    make_reply(topic=topic, author=other_member)
    assert len(_notes(member, "forum_reply")) == 2
    assert TopicUser.objects.get(member=member, topic=topic).watching is True


def test_a_category_watcher_who_may_not_read_the_topic_hears_nothing(
    member, other_member, moderator, baking
):
    topic = make_topic(author=other_member, category=baking)
    actions.hide_topic(topic=topic, moderator=moderator, reason="Off-topic")
    actions.set_category_level(category=baking, member=member, level="watching")
    make_reply(topic=topic, author=moderator)
    assert _notes(member) == []


# --- muted --------------------------------------------------------------------------


def test_a_muted_topic_leaves_every_list_and_its_replies_and_mentions_stay_silent(
    member, member_client, other_member, baking
):
    kept = make_topic(author=other_member, category=baking, title="Kept topic")
    muted = make_topic(author=other_member, category=baking, title="Muted one")
    for topic in (kept, muted):
        member_client.get(topic.get_absolute_url())
        actions.set_topic_level(topic=topic, member=member, level="watching")
        make_reply(topic=topic, author=other_member)
    before = {url: _titles(member_client, url) for url in LISTS}
    assert "Muted one" in before["/forum/latest/"] and "Muted one" in before["/forum/unread/"]
    Notification.objects.all().delete()

    actions.set_topic_level(topic=muted, member=member, level="muted")
    for url in [*LISTS, "/forum/c/baking/", "/forum/latest/?category=baking"]:
        titles = _titles(member_client, url)
        assert "Muted one" not in titles, url
    assert "Kept topic" in _titles(member_client, "/forum/latest/")
    make_reply(topic=muted, author=other_member, body="Any thoughts, @maya?")
    answer = make_reply(topic=muted, author=member, body="Mine.")
    actions.reply(topic=muted, author=other_member, body="Yes", reply_to=answer)
    assert _notes(member) == []
    # Other members still see it.
    assert "Muted one" in _titles(_client(other_member), "/forum/latest/")


def test_a_muted_category_hides_its_topics_from_lists_but_not_from_its_own_page(
    member, member_client, other_member, baking, tools
):
    make_topic(author=other_member, category=baking, title="Bread")
    make_topic(author=other_member, category=tools, title="Knives")
    actions.set_category_level(category=baking, member=member, level="muted")
    assert _titles(member_client, "/forum/latest/") == ["Knives"]
    assert _titles(member_client, "/forum/") == ["Knives"]
    assert _titles(member_client, "/forum/new-topics/") == ["Knives"]
    # She asked for Baking: its own page still shows what is there.
    assert _titles(member_client, "/forum/c/baking/") == ["Bread"]


def test_a_muted_category_sends_no_new_topic_or_mention(member, other_member, baking):
    actions.set_category_level(category=baking, member=member, level="muted")
    topic = make_topic(author=other_member, category=baking, body="Hello @maya, look.")
    make_reply(topic=topic, author=other_member, body="@maya again")
    assert _notes(member) == []


def test_a_muted_tag_hides_topics_unless_another_of_their_tags_is_louder(
    member, member_client, other_member, moderator, baking
):
    for name in ("politics", "recipes"):
        make_tag(name)
    make_topic(author=other_member, category=baking, title="Only muted", tags=("politics",))
    make_topic(
        author=other_member, category=baking, title="Both tags", tags=("politics", "recipes")
    )
    actions.set_tag_level(tag=make_tag("politics"), member=member, level="muted")
    actions.set_tag_level(tag=make_tag("recipes"), member=member, level="tracking")
    assert _titles(member_client, "/forum/latest/") == ["Both tags"]
    assert sorted(_titles(member_client, "/forum/tags/politics/")) == ["Both tags", "Only muted"]


# --- tracking -----------------------------------------------------------------------


def test_tracking_shows_the_number_of_unread_posts_on_the_topic_row(
    member, member_client, other_member, baking
):
    tracked = make_topic(author=other_member, category=baking, title="Tracked")
    plain = make_topic(author=other_member, category=baking, title="Plain")
    for topic in (tracked, plain):
        member_client.get(topic.get_absolute_url())
        for _ in range(3):
            make_reply(topic=topic, author=other_member)
    page = member_client.get("/forum/latest/").content.decode()
    assert "3 unread" not in page
    actions.set_topic_level(topic=tracked, member=member, level="tracking")
    page = member_client.get("/forum/latest/").content.decode()
    assert page.count("3 unread") == 1
    row = page.split(">Tracked</a>", 1)[1].split("</li>", 1)[0]
    assert "3 unread" in row
    # Tracked topics are in Unread; tracking sends nothing.
    assert _titles(member_client, "/forum/unread/") == ["Tracked"]
    assert _notes(member, "forum_reply") == []


def test_tracking_a_category_counts_unread_posts_of_its_topics(
    member, member_client, other_member, baking
):
    topic = make_topic(author=other_member, category=baking, title="Oven spring")
    member_client.get(topic.get_absolute_url())
    make_reply(topic=topic, author=other_member)
    actions.set_category_level(category=baking, member=member, level="tracking")
    assert "1 unread" in member_client.get("/forum/c/baking/").content.decode()


# --- precedence ---------------------------------------------------------------------


def test_the_topic_choice_beats_the_category_which_beats_the_tags(member, other_member, baking):
    for name in ("a", "b"):
        make_tag(name)
    topic = make_topic(author=other_member, category=baking, tags=("a", "b"))

    def level():
        return actions.effective_level(topic=topic, member=member)

    assert level() == NORMAL
    actions.set_tag_level(tag=make_tag("a"), member=member, level="muted")
    assert level() == MUTED  # muted wins over nothing
    actions.set_tag_level(tag=make_tag("b"), member=member, level="tracking")
    assert level() == TRACKING  # the loudest tag
    actions.set_category_level(category=baking, member=member, level="watching")
    assert level() == WATCHING
    actions.set_category_level(category=baking, member=member, level="normal")
    assert level() == NORMAL
    actions.set_topic_level(topic=topic, member=member, level="muted")
    assert level() == MUTED
    # Reading a topic is no choice: the category still decides for a topic only read.
    other = make_topic(author=other_member, category=baking)
    actions.record_read(topic=other, member=member, last_read=None, up_to=1)
    actions.set_category_level(category=baking, member=member, level="watching")
    assert actions.effective_level(topic=other, member=member) == WATCHING


def test_replying_in_a_muted_category_watches_that_topic(member, other_member, baking):
    actions.set_category_level(category=baking, member=member, level="muted")
    topic = make_topic(author=other_member, category=baking)
    make_reply(topic=topic, author=member)
    assert actions.effective_level(topic=topic, member=member) == WATCHING
    make_reply(topic=topic, author=other_member)
    assert len(_notes(member, "forum_reply")) == 1


def test_a_level_must_be_one_of_the_four(member, baking):
    with pytest.raises(PostingError, match="Choose watching, tracking, normal or muted"):
        actions.set_category_level(category=baking, member=member, level="loud")
    assert not CategoryUser.objects.exists()


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/forum/", "/forum/latest/", "/forum/c/baking/"])
def test_it_costs_no_query_more_to_leave_muted_topics_out(member, member_client, baking, url):
    author = make_member()
    make_tag("x"), make_tag("y")
    for i in range(3):
        make_topic(author=author, category=baking, title=f"Topic {i}", tags=("x",))
    member_client.get(url)  # the day's first visit is recorded once
    # Read afresh: a member who muted something gets their own rows, never the kept ones
    # (community/forum/topic_rows.py), so compare with rows nobody kept.
    page_cache.bump()
    before = _count(member_client, url)
    actions.set_category_level(category=make_category(), member=member, level="muted")
    actions.set_tag_level(tag=make_tag("y"), member=member, level="muted")
    actions.set_topic_level(topic=make_topic(author=author), member=member, level="muted")
    # The change is read once (here, as the tests run no after-commit work), then kept.
    member_client.get(url)
    page_cache.bump()
    # Their own rows carry their read state in the same SELECT: one query fewer than
    # kept-able rows read afresh, which read it apart (the lists read it in the SELECT).
    assert _count(member_client, url) == before - (0 if url == "/forum/latest/" else 1)


def _listing_sql(client, url: str) -> str:
    """The SELECT of a list's topics (the one with the member's own level)."""
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return next(q["sql"] for q in ctx.captured_queries if 'AS "my_level"' in q["sql"])


def test_a_member_without_choices_pays_no_level_condition(member, member_client, baking):
    make_tag("x")
    make_topic(author=make_member(), category=baking, tags=("x",))
    listing = _listing_sql(member_client, "/forum/latest/")
    for table in ("forum_categoryuser", "forum_taguser", "forum_taggedtopic"):
        assert table not in listing
    assert listing.count("forum_topicuser") == 2  # the read position and the own level


def test_a_muted_category_is_a_plain_exclusion_and_a_tag_one_only_when_muted(
    member, member_client, baking, tools
):
    make_tag("x")
    make_topic(author=make_member(), category=tools, tags=("x",))
    make_topic(author=make_member(), category=tools, title="Not tagged")
    actions.set_category_level(category=baking, member=member, level="muted")
    listing = _listing_sql(member_client, "/forum/latest/")
    assert f'"forum_topic"."category_id" IN ({baking.pk})' in listing
    for table in ("forum_categoryuser", "forum_taguser", "forum_taggedtopic"):
        assert table not in listing
    actions.set_tag_level(tag=make_tag("x"), member=member, level="muted")
    assert "forum_taggedtopic" in _listing_sql(member_client, "/forum/latest/")


def test_signing_in_reads_the_choices_and_a_change_reads_them_again(
    member, other_member, baking, django_capture_on_commit_callbacks
):
    actions.set_category_level(category=baking, member=member, level="watching")
    client = Client()
    client.force_login(member)
    with CaptureQueriesContext(connection) as ctx:
        assert actions.member_levels(member).categories == {baking.pk: "watching"}
    assert len(ctx.captured_queries) == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/forum/c/baking/level/", {"level": "tracking"})
    with CaptureQueriesContext(connection) as ctx:
        assert actions.member_levels(member).categories == {baking.pk: "tracking"}
    assert len(ctx.captured_queries) == 0
    # Someone else's choices are their own.
    assert actions.member_levels(other_member).categories == {}


def test_the_topic_page_costs_the_same_queries_with_levels_chosen(
    member, member_client, other_member, baking
):
    make_tag("rye"), make_tag("oats")
    topic = make_topic(author=other_member, category=baking, tags=("rye", "oats"))
    member_client.get(topic.get_absolute_url())  # the first read moves the read position
    before = _count(member_client, topic.get_absolute_url())
    actions.set_category_level(category=baking, member=member, level="tracking")
    actions.set_tag_level(tag=make_tag("rye"), member=member, level="muted")
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert '<option value="tracking" selected>' in page
    assert _count(member_client, topic.get_absolute_url()) == before


# --- the controls -------------------------------------------------------------------


def test_the_topic_page_offers_the_four_levels_and_saves_one_with_htmx_or_a_post(
    member, member_client, other_member, baking
):
    topic = make_topic(author=other_member, category=baking)
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert '<label for="level-' in page and ">Notifications</label>" in page
    for label in ("Watching:", "Tracking:", "Normal:", "Muted:"):
        assert label in page
    response = member_client.post(
        f"/forum/t/{topic.pk}/watch/", {"level": "tracking"}, headers={"HX-Request": "true"}
    )
    assert "You are tracking" in response.content.decode()
    assert TopicUser.objects.get(member=member, topic=topic).level == TRACKING
    response = member_client.post(f"/forum/t/{topic.pk}/watch/", {"level": "muted"}, follow=True)
    assert "Muted: nothing here notifies you" in response.content.decode()
    assert TopicUser.objects.get(member=member, topic=topic).level == MUTED


def test_the_topic_page_says_when_the_category_decides(member, member_client, other_member, baking):
    topic = make_topic(author=other_member, category=baking)
    actions.set_category_level(category=baking, member=member, level="watching")
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert '<option value="watching" selected>' in page
    assert "Your choice for its category or one of its tags" in page
    actions.set_topic_level(topic=topic, member=member, level="watching")
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "Your choice for its category" not in page


@pytest.mark.parametrize("kind", ["topic", "category", "tag"])
def test_a_junk_level_is_refused_with_a_reason_and_changes_nothing(
    member, member_client, other_member, baking, kind
):
    make_tag("rye")
    topic = make_topic(author=other_member, category=baking, tags=("rye",))
    actions.set_topic_level(topic=topic, member=member, level="tracking")
    url = {
        "topic": f"/forum/t/{topic.pk}/watch/",
        "category": "/forum/c/baking/level/",
        "tag": "/forum/tags/rye/level/",
    }[kind]
    for data in ({"level": "loud"}, {"level": ""}, {}):
        response = member_client.post(url, data, follow=True)
        assert response.status_code == 200
        text = response.content.decode()
        # (A topic form with neither field is the older watch form's: it says so too.)
        assert "Choose watching, tracking, normal or muted; nothing changed." in text or (
            kind == "topic" and not data and "Choose whether to watch the topic." in text
        )
    htmx = member_client.post(url, {"level": "<b>loud</b>"}, headers={"HX-Request": "true"})
    assert "Choose watching, tracking, normal or muted; nothing changed." in htmx.content.decode()
    assert "<b>loud" not in htmx.content.decode()
    assert TopicUser.objects.get(member=member, topic=topic).level == TRACKING
    assert not CategoryUser.objects.exists() and not TagUser.objects.exists()


def test_members_set_a_category_and_a_tag_level_on_their_pages(member, member_client, baking):
    make_tag("rye")
    page = member_client.get("/forum/c/baking/").content.decode()
    assert 'action="/forum/c/baking/level/"' in page
    response = member_client.post("/forum/c/baking/level/", {"level": "muted"})
    assert response.status_code == 302 and response.url == "/forum/c/baking/"
    assert CategoryUser.objects.get(member=member, category=baking).level == MUTED
    page = member_client.get("/forum/c/baking/").content.decode()
    assert '<option value="muted" selected>' in page
    page = member_client.get("/forum/tags/rye/").content.decode()
    assert 'action="/forum/tags/rye/level/"' in page
    response = member_client.post(
        "/forum/tags/rye/level/", {"level": "watching"}, headers={"HX-Request": "true"}
    )
    assert "You are watching" in response.content.decode()
    assert TagUser.objects.get(member=member, tag=make_tag("rye")).level == WATCHING


@pytest.mark.parametrize("url", ["/forum/c/baking/level/", "/forum/tags/rye/level/"])
def test_visitors_are_sent_to_sign_in_and_get_is_not_allowed(
    visitor_client, member_client, baking, url
):
    make_tag("rye")
    response = visitor_client.post(url, {"level": "muted"})
    assert response.status_code == 302 and "/login/" in response.url
    assert member_client.get(url).status_code == 405
    assert not CategoryUser.objects.exists() and not TagUser.objects.exists()


def test_visitors_see_no_level_control(visitor_client, baking):
    assert "Notifications" not in visitor_client.get("/forum/c/baking/").content.decode()


def test_unknown_categories_and_tags_are_404(member_client):
    assert member_client.post("/forum/c/nope/level/", {"level": "muted"}).status_code == 404
    assert member_client.post("/forum/tags/nope/level/", {"level": "muted"}).status_code == 404


def test_the_migration_turns_watching_into_levels(member, other_member, baking):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("community.forum.migrations.0009_notification_levels")
    watched, stopped, read = (make_topic(author=other_member, category=baking) for _ in range(3))
    for topic, watching in ((watched, True), (stopped, False), (read, None)):
        TopicUser.objects.create(member=member, topic=topic, watching=watching)
    migration.levels_from_watching(apps, None)
    levels = dict(TopicUser.objects.filter(member=member).values_list("topic", "level"))
    assert levels == {watched.pk: WATCHING, stopped.pk: NORMAL, read.pk: ""}


# --- the preferences page and email per kind ------------------------------------------


def test_the_preferences_page_saves_email_per_kind(member, member_client, baking):
    page = member_client.get("/forum/preferences/").content.decode()
    for label in (
        "Someone mentions me",
        "Someone answers one of my posts",
        "A new post in a topic I watch",
        "A new topic in a category or tag I watch",
    ):
        assert label in page
    assert 'action="/forum/c/baking/level/"' in page and ">Baking</label>" in page
    response = member_client.post(
        "/forum/preferences/", {"answers": "on", "watched_topics": "on"}, follow=True
    )
    assert "Your email choices are saved." in response.content.decode()
    member.refresh_from_db()
    chosen = NotificationEmails.objects.get(member=member)
    assert (member.email_on_mention, chosen.answers, chosen.watched_posts) == (False, True, False)
    assert chosen.watched_topics is True
    form = member_client.get("/forum/preferences/").context["form"]
    assert form.initial == {
        "mentions": False,
        "answers": True,
        "watched_posts": False,
        "watched_topics": True,
    }


def test_the_preferences_page_lists_tag_choices_and_muted_topics(
    member, member_client, other_member, baking
):
    topic = make_topic(author=other_member, category=baking, title="Loud neighbours")
    actions.set_topic_level(topic=topic, member=member, level="muted")
    actions.set_tag_level(tag=make_tag("rye"), member=member, level="watching")
    page = member_client.get("/forum/preferences/").content.decode()
    assert "Loud neighbours" in page and 'action="/forum/tags/rye/level/"' in page
    # A level set there without JavaScript comes back to the preferences page.
    response = member_client.post(
        "/forum/tags/rye/level/", {"level": "tracking", "from": "preferences"}
    )
    assert response.status_code == 302 and response.url == "/forum/preferences/"
    htmx = member_client.post(
        "/forum/c/baking/level/",
        {"level": "muted", "from": "preferences"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert ">Baking</label>" in htmx and 'name="from" value="preferences"' in htmx


def test_visitors_are_sent_to_sign_in_from_the_preferences_page(db, visitor_client):
    response = visitor_client.get("/forum/preferences/")
    assert response.status_code == 302 and "/login/" in response.url
    response = visitor_client.post("/forum/preferences/", {"answers": "on"})
    assert response.status_code == 302 and not NotificationEmails.objects.exists()


def test_the_preferences_page_takes_only_get_and_post(member_client):
    assert member_client.put("/forum/preferences/").status_code == 405


def test_emails_go_only_for_the_kinds_a_member_turned_on(
    member, other_member, baking, django_capture_on_commit_callbacks, mailoutbox
):
    actions.set_category_level(category=baking, member=member, level="watching")
    with django_capture_on_commit_callbacks(execute=True):
        topic = make_topic(author=other_member, category=baking, title="Crumb")
        make_reply(topic=topic, author=other_member)
    assert len(_notes(member)) == 2 and mailoutbox == []  # the bell only, by default
    actions.set_notification_emails(
        member=member, mentions=True, answers=False, watched_posts=True, watched_topics=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_topic(author=other_member, category=baking, title="Oven spring")
        mine = make_reply(topic=topic, author=member, body="Mine.")
        forget_rate_limit(other_member)
        actions.reply(topic=topic, author=other_member, body="Yes", reply_to=mine)
    # Maya answered: Sam's answer to her rings her bell, with no email about answers.
    assert [mail.subject for mail in mailoutbox] == ["[Hearth] Sam started “Oven spring” in Baking"]
    assert "/forum/preferences/" in mailoutbox[0].body and mailoutbox[0].to == [member.email]
    assert "Sam answered your post in “Crumb”" in _notes(member, "forum_reply")


def test_an_answer_emails_its_author_when_they_asked(
    member, other_member, baking, django_capture_on_commit_callbacks, mailoutbox
):
    topic = make_topic(author=member, category=baking, title="Crumb")
    actions.set_topic_level(topic=topic, member=member, level="normal")
    actions.set_notification_emails(
        member=member, mentions=True, answers=True, watched_posts=False, watched_topics=False
    )
    first = topic.posts.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply(topic=topic, author=other_member, body="Try more water.", reply_to=first)
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert "Sam answered your post in “Crumb”" in mailoutbox[0].subject
