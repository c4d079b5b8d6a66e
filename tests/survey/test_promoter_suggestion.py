"""A promoter is offered a link to something of theirs worth reading, not only their
personal invite link: their best guide, else their best topic, else what they read most."""

from __future__ import annotations

import pytest
from django.test import Client

from blog.models import GuideVote
from community.forum.models import ReadAccess, TopicUser
from referrals.models import ReferralLink
from tests.blog.factories import published_guide
from tests.factories import make_editor, make_member
from tests.forum.factories import make_category, make_reply, make_topic

pytestmark = pytest.mark.django_db


def _answer(member, score: int = 10) -> str:
    client = Client()
    client.force_login(member)
    return client.post(
        "/survey/answer/", {"score": str(score), "next": "/"}, follow=True
    ).content.decode()


def test_a_promoter_with_guides_is_offered_the_one_members_found_most_helpful():
    member = make_member(joined_days_ago=40)
    editor = make_editor()
    published_guide(member, editor, title="Shaping a batard")
    liked = published_guide(member, editor, title="Folding dough")
    for _ in range(2):
        GuideVote.objects.create(guide=liked, member=make_member())

    html = _answer(member)

    link = ReferralLink.objects.get(owner=member, target_path=liked.url)
    assert "“Folding dough”, your guide members found most helpful" in html
    assert link.full_url in html and 'data-copy="survey-content-link"' in html
    assert f'href="/referrals/share/?path={liked.url}"' in html


def test_without_guides_it_is_their_public_topic_with_most_replies():
    member = make_member(joined_days_ago=40)
    public = make_category(slug="baking")
    make_topic(author=member, category=public, title="Quiet one")
    busy = make_topic(author=member, category=public, title="Rye starters")
    make_reply(topic=busy, author=make_member())
    members_only = make_category(slug="lounge", name="Lounge", read_access=ReadAccess.MEMBERS)
    hidden = make_topic(author=member, category=members_only, title="Members only")
    for _ in range(3):
        make_reply(topic=hidden, author=make_member())

    html = _answer(member)

    assert "“Rye starters”, your topic with most replies" in html
    assert "Members only" not in html  # a friend could not open it


def test_a_reader_is_offered_the_topic_they_read_most():
    member = make_member(joined_days_ago=40)
    topic = make_topic(author=make_member(), title="Oven temperatures")
    TopicUser.objects.create(member=member, topic=topic, last_read_number=7)

    assert "“Oven temperatures”, the topic you read most" in _answer(member)


def test_passives_and_detractors_are_not_offered_a_link():
    member = make_member(joined_days_ago=40)
    make_topic(author=member, title="Rye starters")
    assert "Or share something worth reading" not in _answer(member, score=8)
    assert not ReferralLink.objects.filter(owner=member).exists()
