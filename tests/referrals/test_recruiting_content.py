"""Content that recruits (issue 12): a guide, post or topic tells its author (and the
editors) how many members it brought; the author's profile lists it; its author earns
the capped RECRUITING_CONTENT points when someone who came through it joins, once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from community.models import MemberDay
from referrals import actions, recruiting
from referrals.models import MemberAction, PointsEntry, PointsRule, Referral, Stage, Status
from tests.blog.factories import make_post, published_guide
from tests.factories import make_member
from tests.forum.factories import make_topic
from tests.referrals.factories import link_for, make_referral

pytestmark = pytest.mark.django_db

ACTION = PointsRule.Action.RECRUITING_CONTENT


def came_through(
    path: str,
    *,
    sharer,
    referee=None,
    stage: Stage = Stage.JOINED,
    status: Status = Status.COUNTING,
    active: bool = False,
) -> Referral:
    """A referral whose first visit came through ``sharer``'s link to ``path``."""
    referral = make_referral(referrer=sharer, referee=referee, stage=stage, status=status)
    Referral.objects.filter(pk=referral.pk).update(link=link_for(sharer, path))
    if active:
        MemberDay.objects.create(member=referral.referee, day=timezone.localdate())
    referral.refresh_from_db()
    return referral


def joins_through(path: str, *, sharer, referee=None) -> Referral:
    """Someone signs up through ``sharer``'s link to ``path`` and confirms their email."""
    referral = came_through(path, sharer=sharer, referee=referee, stage=Stage.SIGNED_UP)
    Referral.objects.filter(pk=referral.pk).update(joined_at=None)
    assert actions.mark_joined(member=referral.referee)
    return referral


def content_points(member) -> list[PointsEntry]:
    return list(
        PointsEntry.objects.filter(member=member, idempotency_key__startswith=f"{ACTION.value}:")
    )


@pytest.fixture
def topic(member):
    return make_topic(author=member, title="Sourdough starter troubles")


# --- the line on the content -------------------------------------------------------------


def test_the_author_sees_how_many_members_the_topic_brought(member_client, topic, other_member):
    path = topic.get_absolute_url()
    came_through(path, sharer=other_member, active=True)
    came_through(path, sharer=other_member, active=True)
    came_through(path, sharer=other_member)
    content = member_client.get(path).content.decode()
    assert "This topic brought 3 members, 2 still active" in content


def test_an_editor_sees_the_line_too(editor_client, topic, other_member):
    came_through(topic.get_absolute_url(), sharer=other_member, active=True)
    content = editor_client.get(topic.get_absolute_url()).content.decode()
    assert "This topic brought 1 member, 1 still active" in content


@pytest.mark.parametrize("persona", ["other_member_client", "visitor_client"])
def test_other_members_and_visitors_do_not_see_the_line(request, persona, topic, other_member):
    came_through(topic.get_absolute_url(), sharer=other_member, active=True)
    client = request.getfixturevalue(persona)
    content = client.get(topic.get_absolute_url()).content.decode()
    assert "brought" not in content
    assert "data-recruiting" not in content


def test_every_address_the_topic_had_counts_and_nothing_else(member_client, topic, other_member):
    came_through(f"/forum/t/{topic.pk}/", sharer=other_member)
    came_through(f"/forum/t/{topic.pk}-its-old-title/", sharer=make_member())
    came_through(topic.get_absolute_url(), sharer=make_member())
    came_through(f"/forum/t/{topic.pk}0-another-topic/", sharer=other_member)
    came_through(topic.get_absolute_url(), sharer=other_member, stage=Stage.SIGNED_UP)
    came_through(topic.get_absolute_url(), sharer=make_member(), status=Status.REJECTED)
    make_referral(referrer=other_member)  # a personal link
    content = member_client.get(topic.get_absolute_url()).content.decode()
    assert "This topic brought 3 members, 0 still active" in content


def test_nothing_brought_shows_no_line(member_client, topic):
    content = member_client.get(topic.get_absolute_url()).content.decode()
    assert "data-recruiting" not in content


def test_a_guide_shows_its_author_the_line(member, other_member, editor, client):
    guide = published_guide(member, editor, title="Bread for beginners")
    came_through(guide.url, sharer=other_member, active=True)
    client.force_login(member)
    content = client.get(guide.url).content.decode()
    assert "This guide brought 1 member, 1 still active" in content
    client.force_login(other_member)
    assert "data-recruiting" not in client.get(guide.url).content.decode()


def test_a_blog_post_shows_the_editor_who_made_it(editor_client, editor, other_member):
    post = make_post("Our first year")
    post.owner = editor
    post.save(update_fields=["owner"])
    came_through(post.url, sharer=other_member)
    came_through(post.url, sharer=other_member)
    content = editor_client.get(post.url).content.decode()
    assert "This blog post brought 2 members, 0 still active" in content


def test_the_count_is_one_query_whatever_the_number(topic, other_member, rf, member):
    request = rf.get(topic.get_absolute_url())
    request.user = member
    for _ in range(4):
        came_through(topic.get_absolute_url(), sharer=other_member, active=True)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        counts = recruiting.brought(topic, request)
    assert counts == recruiting.Brought(4, 4)
    assert len(queries) == 1


def test_the_topic_page_costs_the_author_one_query_more_whatever_the_number(
    member_client, topic, other_member, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    came_through(topic.get_absolute_url(), sharer=other_member)
    with CaptureQueriesContext(connection) as one:
        member_client.get(topic.get_absolute_url())
    for _ in range(5):
        came_through(topic.get_absolute_url(), sharer=make_member(), active=True)
    with django_assert_max_num_queries(len(one)):
        content = member_client.get(topic.get_absolute_url()).content.decode()
    assert "This topic brought 6 members, 5 still active" in content


# --- the author's profile ------------------------------------------------------------------


def test_the_profile_lists_the_authors_content_that_brought_people(
    member, member_client, editor_client, other_member_client, topic, other_member
):
    quiet = make_topic(author=member, title="Nobody came through this one")
    joins_through(topic.get_absolute_url(), sharer=other_member)
    joins_through(topic.get_absolute_url(), sharer=make_member())
    for client in (member_client, editor_client):
        content = client.get(member.get_absolute_url()).content.decode()
        assert "Content that brought people" in content
        assert "Sourdough starter troubles" in content
        assert "brought 2 members, 0 still active" in content
        assert quiet.title not in content.split("Content that brought people")[1]
    other = other_member_client.get(member.get_absolute_url()).content.decode()
    assert "Content that brought people" not in other


def test_the_profile_list_is_a_fixed_number_of_queries(
    member, rf, topic, other_member, django_assert_num_queries
):
    joins_through(topic.get_absolute_url(), sharer=other_member)
    guide_author_topic = make_topic(author=member, title="Second")
    joins_through(guide_author_topic.get_absolute_url(), sharer=other_member)
    request = rf.get(member.get_absolute_url())
    request.user = member
    # The author's actions, their topics, and the counts for all of them.
    with django_assert_num_queries(3):
        rows = recruiting.content_of(member, request)
    assert {row.title for row in rows} == {"Sourdough starter troubles", "Second"}


# --- points ----------------------------------------------------------------------------------


def test_the_author_earns_points_when_someone_joins_through_their_topic(
    member, topic, other_member
):
    referral = joins_through(topic.get_absolute_url(), sharer=other_member)
    [entry] = content_points(member)
    assert entry.amount == 30
    assert "Sourdough starter troubles" in entry.reason
    action = MemberAction.objects.get(member=member, action=ACTION)
    assert action.key == (
        f"recruiting_content:content:forum.topic:{topic.pk}:referee:{referral.referee_id}"
    )
    assert content_points(other_member) == []  # the sharer is paid when it converts


def test_joining_twice_pays_once(member, topic, other_member):
    referral = joins_through(topic.get_absolute_url(), sharer=other_member)
    assert actions.mark_joined(member=referral.referee) is False
    Referral.objects.filter(pk=referral.pk).update(stage=Stage.SIGNED_UP)
    from referrals.models import ReferralEvent

    ReferralEvent.objects.filter(referral=referral, stage=Stage.JOINED).delete()
    actions.mark_joined(member=referral.referee)
    assert len(content_points(member)) == 1


def test_the_author_who_shared_their_own_topic_is_paid_once_as_the_referrer(member, topic):
    referral = joins_through(topic.get_absolute_url(), sharer=member)
    assert content_points(member) == []
    # The content did bring them: the warm action is recorded, without points.
    assert MemberAction.objects.filter(member=member, action=ACTION).count() == 1
    Referral.objects.filter(pk=referral.pk).update(stage=Stage.ACTIVE)
    actions.convert_referral(
        referral=Referral.objects.get(pk=referral.pk),
        via="reaction",
        object_key=f"forum.post:{referral.pk}",
    )
    for_this_person = PointsEntry.objects.filter(member=member).filter(
        idempotency_key__in=[
            f"referral:{referral.pk}:converted",
            f"{ACTION.value}:{recruiting.content_key(topic, referral.referee_id)}",
        ]
    )
    assert [entry.amount for entry in for_this_person] == [50]


def test_a_guide_pays_its_author_not_the_sharer(member, editor, other_member):
    guide = published_guide(member, editor, title="Bread for beginners")
    joins_through(guide.url, sharer=other_member)
    [entry] = content_points(member)
    assert "Bread for beginners" in entry.reason


def test_no_points_for_a_personal_link_or_a_held_referral(member, topic, other_member):
    referral = make_referral(referrer=other_member, stage=Stage.SIGNED_UP)
    actions.mark_joined(member=referral.referee)
    held = came_through(
        topic.get_absolute_url(),
        sharer=other_member,
        stage=Stage.SIGNED_UP,
        status=Status.HELD,
    )
    actions.mark_joined(member=held.referee)
    assert content_points(member) == []
    assert not MemberAction.objects.filter(action=ACTION).exists()


def test_the_monthly_cap_holds(member, topic, other_member):
    for _ in range(11):
        joins_through(topic.get_absolute_url(), sharer=other_member)
    assert len(content_points(member)) == 10
    # Every one is still recorded: "content that brought 11" counts them all.
    assert MemberAction.objects.filter(member=member, action=ACTION).count() == 11
