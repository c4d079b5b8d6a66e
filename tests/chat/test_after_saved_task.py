"""What follows a chat message (points, referral activity, a conversation answered) is
the task worker's work, not the socket's: in production the socket's one database
thread only saves and announces (bench/chat_fanout, "rooms")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.chat import actions
from community.chat.models import ChatMessage
from referrals import points
from referrals.models import MemberAction, PointsRule
from tests.chat.factories import make_message, make_room
from tests.tasks import run_task_worker

pytestmark = pytest.mark.django_db(transaction=True)

Action = PointsRule.Action
TASK = "community.chat.tasks.after_messages_saved"


@pytest.fixture
def worker_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _worth(action: str) -> int:
    return points.rules()[action][0]


def _ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def test_the_worker_pays_for_a_message_the_socket_only_saved(member, other_member, worker_tasks):
    room = make_room()
    opener = make_message(room, other_member, "Who bakes on Sundays?", created_at=_ago(4))
    [message] = actions.send_messages(room=room, author=member, bodies=["Me, rye."])

    assert points.balance(member) == 0
    assert not MemberAction.objects.exists()
    [queued] = DBTaskResult.objects.filter(task_path=TASK)
    assert queued.args_kwargs["kwargs"] == {"message_ids": [message.pk]}

    run_task_worker()

    assert DBTaskResult.objects.get(task_path=TASK).status == "SUCCESSFUL"
    assert points.balance(member) == _worth(Action.CHAT)
    answered = MemberAction.objects.get(action=Action.CONVERSATION)
    assert answered.member == other_member
    assert answered.key == f"conversation:chat.chatmessage:{opener.pk}"
    assert answered.actor == member


def test_a_burst_is_one_task_and_each_message_pays(member, worker_tasks):
    saved = actions.send_messages(room=make_room(), author=member, bodies=["one", "two", "three"])

    [queued] = DBTaskResult.objects.filter(task_path=TASK)
    assert queued.args_kwargs["kwargs"] == {"message_ids": [m.pk for m in saved]}
    run_task_worker()
    assert points.balance(member) == 3 * _worth(Action.CHAT)


def test_a_message_deleted_before_the_worker_runs_earns_nothing(member, worker_tasks):
    [message] = actions.send_messages(room=make_room(), author=member, bodies=["oops"])
    actions.delete_message(message=message, actor=member)

    run_task_worker()

    assert points.balance(member) == 0
    assert not MemberAction.objects.filter(action=Action.CHAT).exists()
    assert ChatMessage.objects.get().is_deleted


def test_saving_a_message_costs_the_socket_few_queries(member, other_member, worker_tasks):
    """The save itself: the mute check, the author's groups, the room lock, the insert,
    and one row for the task. The listeners' twenty-odd queries are the worker's."""
    room = make_room()
    make_message(room, other_member, "hello")
    with CaptureQueriesContext(connection) as queries:
        actions.send_messages(room=room, author=member, bodies=["a plain message"])
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if "referrals_" in s or "recognition_" in s]
    writes = [s for s in statements if s.startswith("INSERT")]
    tables = [w.split('"')[1] for w in writes]
    assert tables == [ChatMessage._meta.db_table, DBTaskResult._meta.db_table]
    assert len(statements) == 7, statements  # with the transaction's own two
