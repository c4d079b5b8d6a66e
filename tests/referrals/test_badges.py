"""Badges: the catalogue's rules, granting once and taking back, the live toast and the
bell, the public /badges/ pages, badges on profiles and next to names in the forum."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import badges as community_badges
from community import segments
from community.badges import top_badges
from community.forum import actions as forum
from community.forum import page_cache as forum_page_cache
from community.models import MemberDay, Notification
from hearth.asgi import application
from referrals import badges, engagement
from referrals.models import MemberAction, MemberBadge, PointsRule
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_topic
from tests.forum.test_queries import TOPIC_PAGE_MAX
from tests.referrals.factories import converted_referral

pytestmark = pytest.mark.django_db
Action = PointsRule.Action


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run something and what it sends after commit (signals, live events), as a request
    would."""

    def run(func, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(**kwargs)

    return run


def _record(committed, member, action: str, key: str, **kwargs):
    return committed(
        engagement.record, member=member, action=action, key=key, reason="Thank you", **kwargs
    )


def _seed(member, action: str, count: int, *, prefix: str = "seed") -> None:
    """``count`` earlier actions, without their signals (as if recorded long ago)."""
    MemberAction.objects.bulk_create(
        MemberAction(member=member, action=action, key=f"{action}:{prefix}:{n}", reason="Earlier")
        for n in range(count)
    )


def _held(member) -> set[str]:
    return set(MemberBadge.objects.filter(member=member).values_list("badge", flat=True))


# --- The catalogue -----------------------------------------------------------------------------


def test_every_badge_has_a_name_a_tier_and_says_how_to_earn_it():
    keys = [badge.key for badge in badges.CATALOGUE]
    assert len(keys) == len(set(keys))
    for badge in badges.CATALOGUE:
        assert badge.name and badge.tier in badges.TIER_LABEL
        assert badge.how.endswith(".") and len(badge.how) > 15
    assert {
        "first_post",
        "first_solution",
        "helping_hand",
        "fount_of_wisdom",
        "first_guide",
        "helpful_guide",
        "well_liked",
        "visit_streak",
        "one_year",
        "first_friend",
        "good_company",
        "hearth_builder",
    } <= set(keys)
    assert [tier for tier, _, items in badges.by_tier() if items] == ["gold", "silver", "bronze"]


def test_a_first_post_earns_the_first_post_badge_and_rings_the_bell(committed, member):
    _record(committed, member, Action.TOPIC, "forum.topic:1")
    assert _held(member) == {"first_post"}
    bell = Notification.objects.get(recipient=member, kind="badge_earned")
    assert bell.text == (
        "You earned the bronze badge “First post”: "
        "Start a topic or reply in the forum for the first time."
    )
    assert bell.url == "/badges/first_post/"


def test_solutions_earn_bronze_then_silver_at_ten_then_gold_at_fifty(committed, member):
    _record(committed, member, Action.SOLUTION, "forum.post:1")
    assert _held(member) == {"first_solution"}
    _seed(member, Action.SOLUTION, 7)
    _record(committed, member, Action.SOLUTION, "forum.post:9")
    assert "helping_hand" not in _held(member)  # nine
    _record(committed, member, Action.SOLUTION, "forum.post:10")
    assert _held(member) == {"first_solution", "helping_hand"}
    _seed(member, Action.SOLUTION, 39, prefix="more")
    _record(committed, member, Action.SOLUTION, "forum.post:50")
    assert "fount_of_wisdom" in _held(member)


def test_a_hundred_reactions_from_others_earn_well_liked(committed, member, other_member):
    _seed(member, Action.REACTION_RECEIVED, 98)
    _record(committed, member, Action.REACTION_RECEIVED, "forum.post:1:99")
    assert "well_liked" not in _held(member)
    _record(committed, member, Action.REACTION_RECEIVED, "forum.post:1:100")
    assert "well_liked" in _held(member)


def test_the_helpful_guide_needs_25_votes_on_one_guide(committed, member):
    MemberAction.objects.bulk_create(
        [
            *(
                MemberAction(
                    member=member,
                    action=Action.HELPFUL_VOTE,
                    key=f"helpful_vote:blog.guidepage:7:{n}",
                    reason="Vote",
                )
                for n in range(23)
            ),
            *(
                MemberAction(
                    member=member,
                    action=Action.HELPFUL_VOTE,
                    key=f"helpful_vote:blog.guidepage:8:{n}",
                    reason="Vote",
                )
                for n in range(30)
            ),
        ]
    )
    # Guide 8 had its votes before badges existed: a vote on guide 7 does not lift guide 7...
    _record(committed, member, Action.HELPFUL_VOTE, "blog.guidepage:7:100")
    assert "helpful_guide" not in _held(member)
    # ...the 25th on guide 7 does.
    _record(committed, member, Action.HELPFUL_VOTE, "blog.guidepage:7:101")
    assert "helpful_guide" in _held(member)
    assert badges.guide_of(MemberAction.objects.get(key="helpful_vote:blog.guidepage:7:101")) == (
        "blog.guidepage:7"
    )


def test_a_thirty_day_visit_streak_earns_a_badge_when_the_streak_is_recorded(committed, member):
    today = timezone.localdate()
    MemberDay.objects.bulk_create(
        MemberDay(member=member, day=today - timedelta(days=n)) for n in range(29)
    )
    _record(committed, member, Action.STREAK, "29")
    assert "visit_streak" not in _held(member)
    MemberDay.objects.create(member=member, day=today - timedelta(days=29))
    _record(committed, member, Action.STREAK, "30")
    assert "visit_streak" in _held(member)


def test_a_suspended_member_earns_no_badge(committed, member):
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save(update_fields=["suspended_until"])
    MemberAction.objects.create(member=member, action=Action.SOLUTION, key="solution:x:1")
    assert badges.check(member, badges.affected_by(Action.SOLUTION)) == []
    assert _held(member) == set()


# --- Granting once ---------------------------------------------------------------------------


def test_a_badge_is_granted_once_however_often_it_is_earned(committed, member):
    _record(committed, member, Action.POST, "forum.post:1")
    _record(committed, member, Action.POST, "forum.post:2")
    _record(committed, member, Action.TOPIC, "forum.topic:3")
    first_post = badges.BY_KEY["first_post"]
    assert committed(badges.grant, member=member, badge=first_post) is None
    assert MemberBadge.objects.filter(member=member, badge="first_post").count() == 1
    assert Notification.objects.filter(recipient=member, kind="badge_earned").count() == 1


def test_the_referral_badges_come_from_the_catalogue_with_their_old_wording(member):
    converted_referral(referrer=member)
    assert _held(member) == {"first_friend"}
    bell = Notification.objects.get(recipient=member, kind="referral_badge")
    assert bell.text == "You earned the “First friend” badge: 1 friend took part for real."
    assert bell.url == "/badges/first_friend/"


# --- Taking back -----------------------------------------------------------------------------


def test_removing_the_only_solution_takes_the_badge_back_and_says_so(committed, member):
    _record(committed, member, Action.SOLUTION, "forum.post:1")
    assert "first_solution" in _held(member)
    committed(engagement.revoke, action=Action.SOLUTION, key="forum.post:1", reason="Removed")
    assert "first_solution" not in _held(member)
    told = Notification.objects.get(recipient=member, kind="badge_revoked")
    assert told.text.startswith("The bronze badge “First solution” is no longer yours:")
    assert "same rules as points" in told.text
    # Earned again, it comes back.
    _record(committed, member, Action.SOLUTION, "forum.post:2")
    assert "first_solution" in _held(member)


def test_a_badge_whose_rule_still_holds_stays(committed, member):
    _record(committed, member, Action.SOLUTION, "forum.post:1")
    _record(committed, member, Action.SOLUTION, "forum.post:2")
    committed(engagement.revoke, action=Action.SOLUTION, key="forum.post:1", reason="Removed")
    assert "first_solution" in _held(member)
    assert not Notification.objects.filter(recipient=member, kind="badge_revoked").exists()


def test_a_withdrawn_vote_takes_the_helpful_guide_badge_back(committed, member):
    for n in range(25):
        _record(committed, member, Action.HELPFUL_VOTE, f"blog.guidepage:7:{n}")
    assert "helpful_guide" in _held(member)
    committed(engagement.revoke, action=Action.HELPFUL_VOTE, key="blog.guidepage:7:3", reason="-")
    assert "helpful_guide" not in _held(member)


def test_time_badges_are_not_taken_back_with_an_action(committed, member):
    MemberBadge.objects.create(member=member, badge="visit_streak")
    _record(committed, member, Action.STREAK, "30")
    committed(engagement.revoke, action=Action.STREAK, key="30", reason="-")
    assert "visit_streak" in _held(member)


# --- The daily pass ----------------------------------------------------------------------------


def test_the_daily_pass_grants_one_year_and_streaks_once(db):
    veteran = make_member(username="vera", joined_days_ago=400)
    newcomer = make_member(username="nico", joined_days_ago=100)
    gone = make_member(username="gus", joined_days_ago=500, is_active=False)
    today = timezone.localdate()
    MemberDay.objects.bulk_create(
        MemberDay(member=newcomer, day=today - timedelta(days=n + 1)) for n in range(30)
    )
    out = io.StringIO()
    call_command("grant_badges", stdout=out)
    assert out.getvalue().strip() == "Granted 2 badges."
    assert _held(veteran) == {"one_year"}
    assert _held(newcomer) == {"visit_streak"}
    assert _held(gone) == set()
    out = io.StringIO()
    call_command("grant_badges", stdout=out)
    assert out.getvalue().strip() == "Granted 0 badges."
    assert Notification.objects.filter(kind="badge_earned").count() == 2


# --- Segments ------------------------------------------------------------------------------


def test_badge_holders_are_segments(member, other_member):
    MemberBadge.objects.create(member=member, badge="fount_of_wisdom")
    MemberBadge.objects.create(member=other_member, badge="first_post")
    assert list(segments.members("badge-tier:gold")) == [member]
    assert list(segments.members("badge:first_post")) == [other_member]
    assert segments.get("badge-tier:silver").label == "Silver badge holders"


# --- /badges/ -------------------------------------------------------------------------------


def _holders(badge: str, count: int) -> list:
    people = [make_member() for _ in range(count)]
    MemberBadge.objects.bulk_create(MemberBadge(member=m, badge=badge) for m in people)
    return people


def test_the_badge_page_lists_every_badge_by_tier_with_how_and_how_many(visitor_client, member):
    _holders("first_post", 2)
    MemberBadge.objects.create(member=member, badge="first_post")
    suspended = make_member(suspended_until=timezone.now() + timedelta(days=1))
    MemberBadge.objects.create(member=suspended, badge="first_post")
    response = visitor_client.get("/badges/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Gold badges</h2>") < page.index("Silver badges</h2>")
    assert page.index("Silver badges</h2>") < page.index("Bronze badges</h2>")
    for badge in badges.CATALOGUE:
        assert badge.name in page and badge.how in page
    assert "3 members have it" in page  # the suspended holder is not counted
    assert "0 members have it" in page
    assert "You have it" not in page


def test_a_member_sees_which_badges_they_have(member_client, member):
    MemberBadge.objects.create(member=member, badge="first_post")
    assert "You have it" in member_client.get("/badges/").content.decode()


def test_the_badge_page_costs_the_same_with_1_or_30_holders(
    visitor_client, django_assert_num_queries
):
    _holders("first_post", 1)
    with django_assert_num_queries(1):
        visitor_client.get("/badges/")
    _holders("first_post", 29)
    _holders("well_liked", 30)
    with django_assert_num_queries(1):
        visitor_client.get("/badges/")


def test_a_badge_page_lists_its_holders_newest_first_in_good_standing_only(visitor_client):
    older, newer = _holders("well_liked", 2)
    MemberBadge.objects.filter(member=older).update(awarded_at=timezone.now() - timedelta(days=3))
    gone = make_member(username="gone", display_name="Gone Away", is_active=False)
    MemberBadge.objects.create(member=gone, badge="well_liked")
    response = visitor_client.get("/badges/well_liked/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Well liked</h1>" in page
    assert "Receive 100 reactions from other members." in page
    assert "2 members have it" in page
    assert page.index(newer.name) < page.index(older.name)
    assert "Gone Away" not in page


def test_a_badge_page_is_paginated_and_costs_the_same_on_every_page(
    visitor_client, django_assert_num_queries
):
    _holders("first_post", 31)
    with django_assert_num_queries(2):
        first = visitor_client.get("/badges/first_post/").content.decode()
    with django_assert_num_queries(2):
        second = visitor_client.get("/badges/first_post/?page=2").content.decode()
    assert first.count('class="badge-holders__item"') == 30
    assert second.count('class="badge-holders__item"') == 1
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("page", ["0", "-1", "abc", "2.5", ""])
def test_a_bad_page_number_shows_a_page_of_holders(visitor_client, page):
    _holders("first_post", 1)
    response = visitor_client.get(f"/badges/first_post/?page={page}")
    assert response.status_code == 200
    assert "1 member has it" in response.content.decode()


@pytest.mark.parametrize("page", ["99999999999999999999", "%00"])
def test_a_junk_page_number_gets_the_sites_plain_refusal(visitor_client, page):
    assert visitor_client.get(f"/badges/first_post/?page={page}").status_code == 400


def test_an_unknown_badge_is_not_found(visitor_client):
    assert visitor_client.get("/badges/nope/").status_code == 404
    assert visitor_client.get("/badges/%E2%9C%93/").status_code == 404


def test_the_badge_pages_only_read(member_client):
    assert member_client.post("/badges/").status_code == 405
    assert member_client.post("/badges/first_post/").status_code == 405


def test_nobody_has_it_yet_says_so(visitor_client):
    page = visitor_client.get("/badges/fount_of_wisdom/").content.decode()
    assert "0 members have it" in page
    assert "Nobody has earned it yet." in page


# --- Profiles and names in posts ---------------------------------------------------------------


def test_the_profile_shows_the_members_badges_with_their_tier(visitor_client, member):
    MemberBadge.objects.create(member=member, badge="first_post")
    MemberBadge.objects.create(member=member, badge="fount_of_wisdom")
    page = visitor_client.get(member.get_absolute_url()).content.decode()
    assert 'id="profile-badges-heading">Badges</h2>' in page
    assert page.index("Fount of wisdom") < page.index("First post")  # gold first
    assert '<span class="visually-hidden">Gold badge: </span>Fount of wisdom' in page
    assert "Bronze · earned" in page


def test_a_member_without_badges_shows_no_badge_section(visitor_client, member):
    page = visitor_client.get(member.get_absolute_url()).content.decode()
    assert "profile-badges-heading" not in page


def test_the_top_badge_is_the_highest_tier_then_the_newest(member, other_member):
    MemberBadge.objects.create(member=member, badge="first_post")
    MemberBadge.objects.create(member=member, badge="well_liked")
    MemberBadge.objects.create(member=member, badge="first_guide")
    found = top_badges([member.pk, other_member.pk, None])
    assert list(found) == [member.pk]
    assert found[member.pk].name == "Well liked"
    assert found[member.pk].tier_label == "Silver"


def test_a_forum_post_shows_its_authors_top_badge(visitor_client, member, other_member):
    topic = make_topic(author=member, category=make_category(), tags=())
    make_reply(topic=topic, author=other_member)
    MemberBadge.objects.create(member=member, badge="helpful_guide")
    page = visitor_client.get(topic.get_absolute_url()).content.decode()
    opening = page[page.index('id="post-1"') : page.index('id="post-2"')]
    assert 'class="member-badge member-badge--gold" href="/badges/helpful_guide/"' in opening
    assert '<span class="visually-hidden">Gold badge: </span>Helpful guide' in opening
    assert "member-badge" not in page[page.index('id="post-2"') :]


def _topic_page_queries(client, url: str) -> int:
    client.get(url)  # the read position moves on the first visit
    # The rows read afresh, as by the first reader after a change (they are kept after).
    forum_page_cache.bump()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_badges_next_to_names_cost_one_query_per_page_whatever_the_authors(
    member_client, member, monkeypatch
):
    topic = make_topic(author=member, category=make_category(), tags=())
    authors = [make_member() for _ in range(19)]
    for author in authors:
        make_reply(topic=topic, author=author)
    url = topic.get_absolute_url()
    without = _topic_page_queries(member_client, url)
    with monkeypatch.context() as patch:
        patch.setattr(community_badges, "_lookup", None)  # no badges app: no badges
        assert _topic_page_queries(member_client, url) == without - 1
    MemberBadge.objects.bulk_create(
        MemberBadge(member=author, badge=key)
        for author in authors
        for key in ("first_post", "well_liked", "fount_of_wisdom")
    )
    with_badges = _topic_page_queries(member_client, url)
    assert with_badges == without <= TOPIC_PAGE_MAX
    assert member_client.get(url).content.decode().count('class="member-badge ') == 19


# --- End to end through the forum ----------------------------------------------------------------


def test_the_hundredth_reaction_in_the_forum_earns_well_liked(committed, member, other_member):
    topic = committed(
        forum.start_topic,
        category=make_category(),
        author=member,
        title="My rye loaf",
        body="How does it look?",
    )
    assert "first_post" in _held(member)
    _seed(member, Action.REACTION_RECEIVED, 99)
    opening = topic.posts.order_by("number").first()
    committed(forum.toggle_reaction, post=opening, member=other_member, kind="like")
    assert "well_liked" in _held(member)
    assert Notification.objects.filter(recipient=member, kind="badge_earned").count() == 2


# --- Live ----------------------------------------------------------------------------------


def _session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db(transaction=True)
async def test_the_member_hears_the_badge_live_on_their_socket():
    member = await sync_to_async(make_member)(display_name="Maya")
    cookie = await sync_to_async(_session_cookie_for)(member)
    bell = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    connected, _ = await bell.connect(timeout=5)
    assert connected
    try:
        assert (await bell.receive_json_from(timeout=5))["type"] == "count"
        await sync_to_async(engagement.record)(
            member=member, action=Action.SOLUTION, key="forum.post:1", reason="Solved"
        )
        frame = await bell.receive_json_from(timeout=5)
        assert frame["type"] == "notification"
        assert frame["unread"] == 1
        assert frame["notification"]["kind"] == "badge_earned"
        assert frame["notification"]["text"].startswith(
            "You earned the bronze badge “First solution”"
        )
        assert frame["notification"]["url"] == "/badges/first_solution/"
    finally:
        await bell.disconnect()
        await database_sync_to_async(connections.close_all)()


def test_a_members_card_shows_their_best_badges(visitor_client, member):
    MemberBadge.objects.create(member=member, badge="fount_of_wisdom")
    MemberBadge.objects.create(member=member, badge="first_post")
    card = visitor_client.get(f"/members/{member.username}/card/").content.decode()
    assert badges.BY_KEY["fount_of_wisdom"].name in card
    assert badges.BY_KEY["first_post"].name in card
