"""Two greeting runs at the same instant on PostgreSQL greet and pay once.

Each thread has its own connection and transactions, as two schedulers on two hosts
would; the unique Greeting row (member, kind, date) decides who greets.
"""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from community.models import Greeting, Notification, User
from referrals import points
from referrals.models import PointsEntry
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)
RUNS = 4


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _member(*, joined: datetime, **fields) -> User:
    member = make_member(**fields)
    User.objects.filter(pk=member.pk).update(date_joined=joined)
    return member


def test_greeting_runs_at_the_same_time_greet_and_pay_once(requires_postgres):
    joined = datetime(2025, 5, 4, 9, 0, tzinfo=UTC)
    both = _member(birthday_month=5, birthday_day=4, joined=joined)
    birthdays = [
        _member(birthday_month=5, birthday_day=4, joined=datetime(2026, 1, 2, tzinfo=UTC))
        for _ in range(5)
    ]
    quiet = _member(
        birthday_month=5,
        birthday_day=4,
        joined=joined,
        greetings_by_email=False,
    )
    barrier = threading.Barrier(RUNS)
    outputs: list[str | Exception] = [""] * RUNS

    def run(index: int) -> None:
        out = io.StringIO()
        try:
            barrier.wait(timeout=10)
            call_command("send_greetings", stdout=out)
            outputs[index] = out.getvalue()
        except Exception as exc:  # reported to the test, never swallowed
            outputs[index] = exc
        finally:
            connection.close()

    with time_machine.travel(datetime(2026, 5, 4, 8, 0, tzinfo=UTC), tick=False):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(RUNS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not [o for o in outputs if isinstance(o, Exception)], outputs
    members = [both, *birthdays, quiet]
    assert Greeting.objects.filter(kind="birthday").count() == len(members)
    assert Greeting.objects.filter(kind="anniversary").count() == 2
    assert Notification.objects.count() == len(members) + 2
    assert PointsEntry.objects.count() == len(members)
    assert all(points.balance(member) == 10 for member in members)
    # Everyone but the member who turned greeting emails off: a birthday email each, and
    # one anniversary email.
    assert len(mail.outbox) == len(members) - 1 + 1
    assert sorted(m.to[0] for m in mail.outbox).count(both.email) == 2
    # Between them the runs report each greeting once.
    sent = sum(int(o.split("sent ")[1].split(" ")[0]) for o in outputs if isinstance(o, str))
    assert sent == len(members)
