"""The member's own bits of a topic page come in one plain SQL statement
(forum/reader_state.py): it must give exactly what the ORM would, on SQLite and on
PostgreSQL, and the page must show them."""

from __future__ import annotations

import pytest

from community.forum import actions
from community.forum.actions.levels import set_topic_level
from community.forum.models import Bookmark, Draft, NotificationLevel, Reaction, TopicUser
from community.forum.reader_state import ReaderState, reader_state
from tests.forum.factories import bulk_posts, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(member, other_member):
    topic = make_topic(author=other_member, title="Crumb structure", body="Open or tight?")
    bulk_posts(topic, other_member, 30)
    return topic


def _post(topic, number):
    return topic.posts.get(number=number)


def test_a_member_with_nothing_on_the_topic_gets_the_empty_state(topic, member):
    assert reader_state(topic_id=topic.pk, member=member, first=1, last=20) == ReaderState()


def test_it_answers_what_the_orm_answers(topic, member, other_member):
    on_page, off_page = _post(topic, 3), _post(topic, 25)
    for post, kind in ((on_page, "like"), (on_page, "heart"), (off_page, "like")):
        Reaction.objects.create(post=post, member=member, kind=kind)
    Reaction.objects.create(post=on_page, member=other_member, kind="laugh")  # not theirs
    actions.bookmark(member=member, topic=topic)
    actions.bookmark(member=member, topic=topic, post=on_page)
    actions.bookmark(member=other_member, topic=topic, post=_post(topic, 4))
    actions.save_draft(member=member, key=f"reply:{topic.pk}", body="Half a thought")
    actions.record_read(topic=topic, member=member, last_read=None, up_to=12)
    set_topic_level(topic=topic, member=member, level=NotificationLevel.TRACKING)

    state = reader_state(topic_id=topic.pk, member=member, first=1, last=20)

    page_posts = list(topic.posts.filter(number__lte=20).values_list("pk", flat=True))
    mine: dict[int, set[str]] = {}
    for post_id, kind in Reaction.objects.filter(member=member, post_id__in=page_posts).values_list(
        "post_id", "kind"
    ):
        mine.setdefault(post_id, set()).add(kind)
    relation = TopicUser.objects.get(topic=topic, member=member)
    assert state == ReaderState(
        last_read=relation.last_read_number,
        level=relation.level,
        bookmarked=Bookmark.objects.filter(member=member, topic=topic, post=None).exists(),
        draft=Draft.objects.get(member=member, topic=topic).body,
        bookmarked_posts=set(
            Bookmark.objects.filter(member=member, topic=topic, post__isnull=False).values_list(
                "post_id", flat=True
            )
        ),
        reactions=mine,
    )
    assert state.reactions == {on_page.pk: {"like", "heart"}}
    assert state.last_read == 12 and state.level == NotificationLevel.TRACKING
    assert state.bookmarked and state.draft == "Half a thought"


def test_the_page_shows_the_readers_own_state(topic, member, member_client):
    on_page = _post(topic, 3)
    Reaction.objects.create(post=on_page, member=member, kind="heart")
    actions.bookmark(member=member, topic=topic, post=on_page)
    actions.save_draft(member=member, key=f"reply:{topic.pk}", body="Half a thought")
    html = member_client.get(topic.get_absolute_url()).content.decode()
    assert "Half a thought" in html
    post_3 = html[html.index('id="post-3"') : html.index('id="post-4"')]
    assert 'aria-pressed="true"' in post_3  # their heart
    assert "Remove bookmark" in post_3


def test_it_says_whether_the_page_holds_the_readers_own_held_posts(topic, member, other_member):
    from django.utils import timezone

    from community.forum.models import Post

    held = Post.objects.filter(topic=topic, number=15)
    held.update(author=member, held_at=timezone.now(), held_reason="links")
    Post.objects.filter(topic=topic, number=5).update(held_at=timezone.now())  # Sam's

    def says(who, first, last):
        return reader_state(topic_id=topic.pk, member=who, first=first, last=last).held_posts

    assert says(member, 1, 20) is True
    assert says(member, 21, 31) is False  # not on this page
    assert says(member, 1, 10) is False  # held, but Sam's
    assert says(other_member, 1, 10) is True  # Sam's own
    held.update(held_at=None)
    assert says(member, 1, 20) is False  # approved
