"""Points for what members do (issue 12): the forum, the guides, the chat, visits and the
profile tell the hub through community.signals.warm_action, and referrals.engagement
decides, once per key, whether and how much it pays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from blog import actions as blog
from community import trust
from community.chat import actions as chat
from community.forum import actions as forum
from community.models import MemberDay
from community.signals import warm_action
from referrals import engagement, points
from referrals.models import MemberAction, MemberNetwork, PointsEntry, PointsRule, Stage, Status
from tests.blog.factories import published_guide
from tests.chat.factories import make_message, make_room
from tests.factories import image_upload, make_member, make_moderator
from tests.forum.factories import make_reply, make_topic
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

Action = PointsRule.Action


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run an action and what it sends after commit, as a request would."""

    def run(do, /, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return do(**kwargs)

    return run


def _worth(action: str) -> int:
    return points.rules()[action][0]


def _paid(member, action: str) -> int:
    return sum(
        PointsEntry.objects.filter(
            member=member, idempotency_key__startswith=f"{action}:"
        ).values_list("amount", flat=True)
    )


def _taken_back(member, action: str) -> int:
    return sum(
        PointsEntry.objects.filter(
            member=member, idempotency_key__startswith=f"reverse:{action}:"
        ).values_list("amount", flat=True)
    )


@pytest.fixture
def asked(member, other_member, committed):
    """Sam asks in the forum; Maya replies (her first post is made before the test)."""
    topic = make_topic(author=other_member, title="Rye starter smells of nail varnish")
    reply = committed(make_reply, topic=topic, author=member, body="Feed it twice a day.")
    return topic, reply


# --- solutions --------------------------------------------------------------------------


def test_a_reply_marked_as_the_solution_pays_its_author_once(
    asked, member, other_member, committed
):
    topic, reply = asked
    committed(forum.mark_solution, post=reply, member=other_member)
    assert _paid(member, Action.SOLUTION) == _worth(Action.SOLUTION)
    action = MemberAction.objects.get(action=Action.SOLUTION)
    assert action.member == member and action.actor == other_member
    entry = PointsEntry.objects.get(idempotency_key__startswith="solution:")
    assert (
        entry.reason
        == "Your reply in “Rye starter smells of nail varnish” was marked as the solution"
    )
    # the same signal again (a retry) pays nothing
    committed(
        warm_action.send,
        sender=None,
        member=member,
        action=Action.SOLUTION,
        key=f"forum.post:{reply.pk}",
        reason="again",
        actor=other_member,
    )
    assert _paid(member, Action.SOLUTION) == _worth(Action.SOLUTION)


def test_unmarking_the_solution_takes_the_points_back_and_marking_again_pays_nothing(
    asked, member, other_member, committed
):
    topic, reply = asked
    committed(forum.mark_solution, post=reply, member=other_member)
    committed(forum.mark_solution, post=reply, member=other_member)  # unmark
    assert _taken_back(member, Action.SOLUTION) == -_worth(Action.SOLUTION)
    assert MemberAction.objects.get(action=Action.SOLUTION).revoked_at is not None
    committed(forum.mark_solution, post=reply, member=other_member)  # mark again
    assert points.balance(member) == _worth(Action.POST) + _worth(Action.FIRST_POST)


def test_another_reply_becoming_the_solution_takes_the_first_ones_back(
    asked, member, other_member, committed
):
    topic, reply = asked
    third = make_member(username="tara")
    better = committed(make_reply, topic=topic, author=third, body="Warmer water helps.")
    committed(forum.mark_solution, post=reply, member=other_member)
    committed(forum.mark_solution, post=better, member=other_member)
    assert _paid(member, Action.SOLUTION) + _taken_back(member, Action.SOLUTION) == 0
    assert _paid(third, Action.SOLUTION) == _worth(Action.SOLUTION)


def test_hiding_the_solution_takes_its_points_back(asked, member, other_member, committed):
    topic, reply = asked
    committed(forum.mark_solution, post=reply, member=other_member)
    committed(forum.hide_post, post=reply, moderator=make_moderator(), reason="Off topic here.")
    assert _paid(member, Action.SOLUTION) + _taken_back(member, Action.SOLUTION) == 0
    assert points.balance(member) == 0  # the reply and the first post went too


def test_marking_ones_own_reply_in_ones_own_topic_pays_nothing(member, committed):
    topic = make_topic(author=member, title="Answering myself")
    reply = committed(make_reply, topic=topic, author=member, body="Found it myself.")
    committed(forum.mark_solution, post=reply, member=member)
    assert _paid(member, Action.SOLUTION) == 0
    assert not MemberAction.objects.filter(action=Action.SOLUTION).exists()


def test_a_moderator_who_marks_the_solution_is_the_actor(asked, member, committed):
    topic, reply = asked
    moderator = make_moderator()
    committed(forum.mark_solution, post=reply, member=moderator)
    assert MemberAction.objects.get(action=Action.SOLUTION).actor == moderator


# --- first post -------------------------------------------------------------------------


def test_the_first_forum_post_ever_pays_once(member, other_member, committed):
    topic = make_topic(author=other_member)
    committed(make_reply, topic=topic, author=member)
    committed(make_reply, topic=topic, author=member, body="And another thing.")
    assert _paid(member, Action.FIRST_POST) == _worth(Action.FIRST_POST)
    assert (
        MemberAction.objects.get(action=Action.FIRST_POST).key == f"first_post:member:{member.pk}"
    )
    # the opening post of a topic is a first post too
    committed(make_topic, author=make_member(username="una"))
    assert MemberAction.objects.filter(action=Action.FIRST_POST).count() == 2


def test_deleting_the_first_post_takes_it_back_and_a_later_post_does_not_pay_again(
    member, other_member, committed
):
    topic = make_topic(author=other_member)
    first = committed(make_reply, topic=topic, author=member)
    committed(forum.delete_post, post=first, member=member)
    assert _paid(member, Action.FIRST_POST) + _taken_back(member, Action.FIRST_POST) == 0
    committed(make_reply, topic=topic, author=member, body="Trying again.")
    assert _paid(member, Action.FIRST_POST) == _worth(Action.FIRST_POST)  # the one, reversed


# --- helpful votes ----------------------------------------------------------------------


@pytest.fixture
def guide(member, editor):
    return published_guide(member, editor, title="Folding dough")


def test_a_helpful_vote_pays_the_guides_author_and_withdrawing_it_takes_it_back(
    guide, member, other_member, committed
):
    committed(blog.toggle_helpful, guide=guide, member=other_member)
    assert _paid(member, Action.HELPFUL_VOTE) == _worth(Action.HELPFUL_VOTE)
    assert PointsEntry.objects.get(idempotency_key__startswith="helpful_vote:").reason == (
        "Sam found your guide “Folding dough” helpful"
    )
    committed(blog.toggle_helpful, guide=guide, member=other_member)  # withdrawn
    assert _taken_back(member, Action.HELPFUL_VOTE) == -_worth(Action.HELPFUL_VOTE)
    committed(blog.toggle_helpful, guide=guide, member=other_member)  # and given again
    assert PointsEntry.objects.filter(idempotency_key__startswith="helpful_vote:").count() == 1


def test_a_helpful_vote_from_the_authors_network_pays_nothing(
    guide, member, other_member, committed
):
    for person in (member, other_member):
        MemberNetwork.objects.create(member=person, network_hash="same-flat")
    committed(blog.toggle_helpful, guide=guide, member=other_member)
    assert _paid(member, Action.HELPFUL_VOTE) == 0


# --- conversations in the chat ------------------------------------------------------------


def _ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def test_a_message_after_a_quiet_hour_that_someone_answers_pays_once(
    member, other_member, committed
):
    room = make_room()
    make_message(room, other_member, "Anyone up?", created_at=_ago(120))
    opener = make_message(room, member, "Who bakes on Sundays?", created_at=_ago(4))
    committed(chat.send_message, room=room, author=other_member, body="Me!")
    committed(chat.send_message, room=room, author=make_member(), body="Me too")
    assert _paid(member, Action.CONVERSATION) == _worth(Action.CONVERSATION)
    action = MemberAction.objects.get(action=Action.CONVERSATION)
    assert action.key == f"conversation:chat.chatmessage:{opener.pk}"
    assert action.actor == other_member


@pytest.mark.parametrize(
    ("before", "opened", "why"),
    [
        (15, 4, "the room was not quiet before it"),
        (None, 12, "the answer came too late"),
    ],
)
def test_a_message_that_starts_no_conversation_pays_nothing(
    member, other_member, committed, before, opened, why
):
    room = make_room()
    if before is not None:
        make_message(room, other_member, "Earlier", created_at=_ago(before))
    make_message(room, member, "Who bakes on Sundays?", created_at=_ago(opened))
    committed(chat.send_message, room=room, author=other_member, body="Me!")
    assert _paid(member, Action.CONVERSATION) == 0, why


def test_answering_oneself_starts_no_conversation(member, committed):
    room = make_room()
    make_message(room, member, "Who bakes on Sundays?", created_at=_ago(3))
    committed(chat.send_message, room=room, author=member, body="Nobody? OK.")
    assert not MemberAction.objects.filter(action=Action.CONVERSATION).exists()


def test_deleting_the_opening_message_takes_the_conversation_back(member, other_member, committed):
    room = make_room()
    opener = make_message(room, member, "Who bakes on Sundays?", created_at=_ago(3))
    committed(chat.send_message, room=room, author=other_member, body="Me!")
    committed(chat.delete_message, message=opener, actor=member)
    assert _paid(member, Action.CONVERSATION) + _taken_back(member, Action.CONVERSATION) == 0


# --- visit streaks -------------------------------------------------------------------------


def _visited(member, *days_ago: int) -> None:
    today = timezone.localdate()
    MemberDay.objects.bulk_create(
        [MemberDay(member=member, day=today - timedelta(days=n)) for n in days_ago],
        ignore_conflicts=True,
    )


def test_the_seventh_day_in_a_row_pays_a_streak_once(member, committed):
    MemberDay.objects.filter(member=member).delete()
    _visited(member, *range(1, 7))
    committed(trust.record_visit_day, member=member)
    committed(trust.note_streak, member=member, today=timezone.localdate())  # again: nothing
    assert _paid(member, Action.STREAK) == _worth(Action.STREAK)
    today = timezone.localdate().isoformat()
    assert (
        MemberAction.objects.get(action=Action.STREAK).key == f"streak:member:{member.pk}:{today}"
    )
    assert PointsEntry.objects.get(idempotency_key__startswith="streak:").reason == (
        "You visited 7 days in a row"
    )


def test_six_days_or_a_gap_pay_no_streak(member, committed):
    MemberDay.objects.filter(member=member).delete()
    _visited(member, 1, 2, 3, 4, 5, 7, 8)  # day 6 missed
    committed(trust.record_visit_day, member=member)
    assert not MemberAction.objects.filter(action=Action.STREAK).exists()


def test_days_in_a_row_counts_long_runs(member):
    MemberDay.objects.filter(member=member).delete()
    _visited(member, *range(0, 140))
    assert trust.days_in_a_row(member, timezone.localdate()) == 140
    assert trust.days_in_a_row(member, timezone.localdate() + timedelta(days=1)) == 0


# --- the profile and the survey -------------------------------------------------------------


def test_completing_the_profile_pays_once(member, member_client, committed):
    url = f"/members/{member.username}/edit/"
    data: dict[str, object] = {"display_name": "Maya", "bio": "", "email_on_mention": "on"}
    committed(member_client.post, path=url, data=data)
    assert not MemberAction.objects.filter(action=Action.PROFILE).exists()  # no bio, no picture
    data.update(bio="I bake rye.", avatar_upload=image_upload())
    assert committed(member_client.post, path=url, data=data).status_code == 302
    data.update(bio="I bake rye and spelt.", avatar_upload="")
    committed(member_client.post, path=url, data=data)
    assert _paid(member, Action.PROFILE) == _worth(Action.PROFILE)


def test_an_answered_survey_reported_by_the_survey_app_pays(member, committed):
    committed(
        warm_action.send,
        sender=None,
        member=member,
        action="survey",
        key="survey.response:1",
        reason="You answered the recommend survey",
        actor=None,
    )
    assert _paid(member, Action.SURVEY) == _worth(Action.SURVEY)


def test_actions_with_their_own_door_cannot_come_through_the_signal(member, committed):
    for action in (Action.REFERRAL_PURCHASE, Action.CHALLENGE, "no-such-action"):
        committed(
            warm_action.send,
            sender=None,
            member=member,
            action=action,
            key="x:1",
            reason="sneaky",
            actor=None,
        )
    assert points.balance(member) == 0
    assert not MemberAction.objects.exists()


# --- caps and switches -----------------------------------------------------------------------


def _record(member, n: int = 1, action: str = Action.SOLUTION, **kwargs):
    return engagement.record(
        member=member, action=action, key=f"forum.post:{n}", reason="A solution", **kwargs
    )


def test_the_cap_holds_but_every_action_is_still_recorded(member):
    PointsRule.objects.filter(action=Action.SOLUTION).update(cap=2)
    points.forget_rules()
    for n in range(4):
        _record(member, n)
    assert PointsEntry.objects.filter(member=member).count() == 2
    assert engagement.counted(member, Action.SOLUTION) == 4


def test_a_switched_off_rule_pays_nothing(member):
    PointsRule.objects.filter(action=Action.SOLUTION).update(enabled=False)
    points.forget_rules()
    assert _record(member).entry is None
    assert points.balance(member) == 0


# --- who may earn -------------------------------------------------------------------------


def test_a_member_whose_own_sign_up_is_held_earns_nothing(member):
    make_referral(referee=member, status=Status.HELD, hold_reasons=["same_network"])
    assert (
        engagement.why_member_cannot_earn(member) == "the member's own sign-up is held for review"
    )
    assert _record(member) is None
    assert points.balance(member) == 0


def test_a_member_whose_sign_up_counts_earns(member):
    make_referral(referee=member, stage=Stage.ACTIVE)
    assert _record(member).entry is not None


def test_a_suspended_member_earns_nothing(member):
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save(update_fields=["suspended_until"])
    assert _record(member) is None


def test_a_member_without_a_verified_address_earns_nothing():
    unverified = make_member(verified=False)
    assert engagement.why_member_cannot_earn(unverified) == "no verified email address"
    assert _record(unverified) is None


def test_an_actor_on_the_members_network_earns_them_nothing(member, other_member):
    for person in (member, other_member):
        MemberNetwork.objects.create(member=person, network_hash="same-flat")
    assert _record(member, actor=other_member) is None
    assert not MemberAction.objects.exists()


def test_ones_own_action_on_ones_own_content_earns_nothing(member):
    assert _record(member, actor=member) is None


def test_checking_who_may_earn_costs_one_query(member, django_assert_num_queries):
    make_referral(referee=member, stage=Stage.ACTIVE)
    with django_assert_num_queries(1):
        assert engagement.why_member_cannot_earn(member) is None
    member.is_active = False
    with django_assert_num_queries(0):
        assert engagement.why_member_cannot_earn(member) == "the account is closed"


# --- the rules: defaults and the editors' screen ------------------------------------------------


@pytest.mark.parametrize("action", [Action.SOLUTION, Action.GUIDE])
def test_taking_part_is_worth_more_than_a_purchase(action):
    purchase = PointsRule.objects.get(action=Action.REFERRAL_PURCHASE).points
    assert PointsRule.objects.get(action=action).points > purchase
    assert points.DEFAULT_RULES[action][0] > points.DEFAULT_RULES[Action.REFERRAL_PURCHASE][0]


def test_the_seeded_rules_match_the_defaults():
    seeded = {r.action: (r.points, r.cap, r.cap_period) for r in PointsRule.objects.all()}
    assert seeded == {str(action): rule for action, rule in points.DEFAULT_RULES.items()}


def test_an_editors_change_to_a_rule_is_in_the_audit_log(editor, editor_client, committed):
    rule = PointsRule.objects.get(action=Action.SOLUTION)
    url = f"/admin/points_rules/edit/{rule.pk}/"
    data = {"points": "40", "cap": "5", "cap_period": "day", "enabled": "on"}
    response = committed(editor_client.post, path=url, data=data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.points, rule.cap) == (40, 5)
    entry = ModelLogEntry.objects.get(object_id=str(rule.pk), action="wagtail.edit")
    assert entry.user == editor
    history = editor_client.get(f"/admin/points_rules/history/{rule.pk}/").content.decode()
    table = history[history.index("<table") :]
    assert entry.user_display_name == editor.username and editor.username in table
    assert points.rules()[Action.SOLUTION][0] == 40  # the cache forgot the old value


@pytest.mark.parametrize("persona", ["member_client", "moderator_client"])
def test_members_and_moderators_cannot_change_the_rules(request, persona):
    client = request.getfixturevalue(persona)
    rule = PointsRule.objects.get(action=Action.SOLUTION)
    url = f"/admin/points_rules/edit/{rule.pk}/"
    assert client.get(url).status_code in (302, 403)
    response = client.post(url, {"points": "999", "cap": "0", "cap_period": "day"})
    assert response.status_code in (302, 403)
    rule.refresh_from_db()
    assert rule.points == points.DEFAULT_RULES[Action.SOLUTION][0]
