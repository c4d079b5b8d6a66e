"""The member's day: birthday and anniversary greetings, the birthday bonus, the command."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from community.models import Greeting, Notification, User
from hearth import scheduler
from referrals import points
from referrals.models import PointsEntry, PointsRule
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _member(*, joined: str = "2026-01-10 12:00", **fields) -> User:
    member = make_member(**fields)
    User.objects.filter(pk=member.pk).update(date_joined=at(joined))
    member.refresh_from_db()
    return member


def _run(moment: str, capture) -> str:
    out = io.StringIO()
    with time_machine.travel(at(moment), tick=False), capture(execute=True):
        call_command("send_greetings", stdout=out)
    return out.getvalue()


def _bell(member: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=member)
        .order_by("created_at", "id")
        .values_list("text", flat=True)
    )


def test_it_greets_a_birthday_in_the_bell_and_by_email_and_pays_the_bonus(
    django_capture_on_commit_callbacks,
):
    maya = _member(username="maya", display_name="Maya", birthday_month=5, birthday_day=4)
    _member(username="sam", birthday_month=5, birthday_day=5)

    out = _run("2026-05-04 08:00", django_capture_on_commit_callbacks)

    assert _bell(maya) == ["Happy birthday, Maya! Here are 10 points from all of us at Hearth."]
    notification = Notification.objects.get(recipient=maya)
    assert notification.kind == "greeting_birthday" and notification.url == "/referrals/"
    [email] = mail.outbox
    assert email.to == ["maya@example.com"]
    assert email.subject == "[Hearth] Happy birthday, Maya!"
    assert "Here are 10 points" in email.body
    assert "/members/maya/edit/" in email.body  # where to turn these emails off
    assert points.balance(maya) == 10
    [entry] = PointsEntry.objects.filter(member=maya)
    assert entry.idempotency_key == f"birthday:{maya.pk}:2026"
    assert Greeting.objects.get().on_date.isoformat() == "2026-05-04"
    assert "sent 1 birthday greeting and 0 anniversary greetings; paid 1 birthday bonus" in out
    assert not Notification.objects.exclude(recipient=maya).exists()


def test_it_greets_in_the_bell_but_sends_no_email_to_a_member_who_opted_out(
    django_capture_on_commit_callbacks,
):
    maya = _member(display_name="Maya", birthday_month=5, birthday_day=4, greetings_by_email=False)

    _run("2026-05-04 08:00", django_capture_on_commit_callbacks)

    assert len(_bell(maya)) == 1
    assert mail.outbox == []
    assert points.balance(maya) == 10


def test_running_twice_the_same_day_greets_and_pays_once(django_capture_on_commit_callbacks):
    maya = _member(birthday_month=5, birthday_day=4, joined="2025-05-04 09:00")

    _run("2026-05-04 08:00", django_capture_on_commit_callbacks)
    again = _run("2026-05-04 19:00", django_capture_on_commit_callbacks)

    assert len(_bell(maya)) == 2  # the birthday and the first anniversary, once each
    assert len(mail.outbox) == 2
    assert points.balance(maya) == 10
    assert Greeting.objects.count() == 2
    assert "sent 0 birthday greetings and 0 anniversary greetings; paid 0 birthday bonuses" in (
        again
    )


def test_the_unique_row_stops_a_second_greeting_even_without_the_pre_check():
    from referrals.greetings import greet

    maya = _member(birthday_month=5, birthday_day=4)
    with time_machine.travel(at("2026-05-04 08:00"), tick=False):
        first = greet(member=maya, kind=Greeting.Kind.BIRTHDAY, on=at("2026-05-04 08:00").date())
        second = greet(member=maya, kind=Greeting.Kind.BIRTHDAY, on=at("2026-05-04 08:00").date())
    assert first[0] is not None and first[1] is not None
    assert second == (None, None)
    assert len(_bell(maya)) == 1


def test_a_29_february_birthday_is_greeted_on_28_february_in_a_common_year(
    django_capture_on_commit_callbacks,
):
    leap = _member(display_name="Leah", birthday_month=2, birthday_day=29)
    ordinary = _member(birthday_month=2, birthday_day=28)

    _run("2027-02-27 08:00", django_capture_on_commit_callbacks)
    assert _bell(leap) == []
    _run("2027-02-28 08:00", django_capture_on_commit_callbacks)
    _run("2027-03-01 08:00", django_capture_on_commit_callbacks)

    assert _bell(leap) == ["Happy birthday, Leah! Here are 10 points from all of us at Hearth."]
    assert len(_bell(ordinary)) == 1
    assert Greeting.objects.get(member=leap).on_date.isoformat() == "2027-02-28"


def test_a_29_february_birthday_is_greeted_on_the_day_in_a_leap_year(
    django_capture_on_commit_callbacks,
):
    leap = _member(birthday_month=2, birthday_day=29)
    ordinary = _member(birthday_month=2, birthday_day=28)

    _run("2028-02-28 08:00", django_capture_on_commit_callbacks)
    assert _bell(leap) == [] and len(_bell(ordinary)) == 1
    _run("2028-02-29 08:00", django_capture_on_commit_callbacks)

    assert len(_bell(leap)) == 1 and len(_bell(ordinary)) == 1
    assert Greeting.objects.get(member=leap).on_date.isoformat() == "2028-02-29"
    assert points.balance(leap) == 10


def test_moving_the_birthday_greets_again_but_pays_no_second_bonus_within_365_days(
    django_capture_on_commit_callbacks,
):
    maya = _member(display_name="Maya", birthday_month=3, birthday_day=1)
    _run("2026-03-01 08:00", django_capture_on_commit_callbacks)
    assert points.balance(maya) == 10

    User.objects.filter(pk=maya.pk).update(birthday_month=12, birthday_day=20)
    _run("2026-12-20 08:00", django_capture_on_commit_callbacks)
    # In the next calendar year too: the last bonus is 323 days old.
    User.objects.filter(pk=maya.pk).update(birthday_month=1, birthday_day=15)
    _run("2027-01-15 08:00", django_capture_on_commit_callbacks)

    assert _bell(maya)[1:] == [
        "Happy birthday, Maya, from all of us at Hearth!",
        "Happy birthday, Maya, from all of us at Hearth!",
    ]
    assert points.balance(maya) == 10
    assert "Happy birthday from all of us at Hearth!" in mail.outbox[-1].body

    # 365 days after the last bonus, the birthday pays again.
    User.objects.filter(pk=maya.pk).update(birthday_month=3, birthday_day=1)
    _run("2027-03-01 08:00", django_capture_on_commit_callbacks)
    assert points.balance(maya) == 20


def test_a_switched_off_birthday_rule_greets_without_a_bonus(django_capture_on_commit_callbacks):
    PointsRule.objects.filter(action=PointsRule.Action.BIRTHDAY).update(enabled=False)
    points.forget_rules()
    maya = _member(display_name="Maya", birthday_month=5, birthday_day=4)

    _run("2026-05-04 08:00", django_capture_on_commit_callbacks)

    assert _bell(maya) == ["Happy birthday, Maya, from all of us at Hearth!"]
    assert points.balance(maya) == 0


def test_a_member_with_no_confirmed_address_is_greeted_without_a_bonus(
    django_capture_on_commit_callbacks,
):
    maya = _member(display_name="Maya", birthday_month=5, birthday_day=4, verified=False)

    _run("2026-05-04 08:00", django_capture_on_commit_callbacks)

    assert _bell(maya) == ["Happy birthday, Maya, from all of us at Hearth!"]
    assert points.balance(maya) == 0


def test_the_birthday_bonus_is_an_editable_points_rule_seeded_with_a_default():
    rule = PointsRule.objects.get(action=PointsRule.Action.BIRTHDAY)
    assert (rule.points, rule.enabled) == (10, True)
    assert str(rule) == "a birthday bonus (once a year): 10 points"
    assert points.DEFAULT_RULES[PointsRule.Action.BIRTHDAY][0] == rule.points


def test_anniversaries_are_greeted_from_the_first_year_with_the_years_in_words(
    django_capture_on_commit_callbacks,
):
    maya = _member(display_name="Maya", joined="2025-05-04 09:30")

    _run("2025-05-04 18:00", django_capture_on_commit_callbacks)  # the day she joined
    _run("2026-05-04 08:00", django_capture_on_commit_callbacks)
    _run("2026-05-05 08:00", django_capture_on_commit_callbacks)
    _run("2027-05-04 08:00", django_capture_on_commit_callbacks)

    assert _bell(maya) == [
        "You joined Hearth 1 year ago today. Thank you for being part of the community!",
        "You joined Hearth 2 years ago today. Thank you for being part of the community!",
    ]
    assert [m.subject for m in mail.outbox] == [
        "[Hearth] 1 year with Hearth today",
        "[Hearth] 2 years with Hearth today",
    ]
    assert points.balance(maya) == 0  # anniversaries greet; the bonus is for birthdays
    assert Notification.objects.filter(kind="greeting_anniversary").count() == 2


def test_a_29_february_join_is_remembered_on_28_february_in_common_years(
    django_capture_on_commit_callbacks,
):
    maya = _member(joined="2024-02-29 12:00")

    _run("2025-02-28 08:00", django_capture_on_commit_callbacks)
    _run("2028-02-28 08:00", django_capture_on_commit_callbacks)
    _run("2028-02-29 08:00", django_capture_on_commit_callbacks)

    assert [text.split(".")[0] for text in _bell(maya)] == [
        "You joined Hearth 1 year ago today",
        "You joined Hearth 4 years ago today",
    ]


def test_suspended_and_inactive_members_are_not_greeted(django_capture_on_commit_callbacks):
    with time_machine.travel(at("2026-05-01 08:00"), tick=False):
        suspended = _member(
            birthday_month=5,
            birthday_day=4,
            suspended_until=at("2026-06-01 00:00"),
            joined="2025-05-04 10:00",
        )
    inactive = _member(birthday_month=5, birthday_day=4, is_active=False)
    lifted = _member(birthday_month=5, birthday_day=4, suspended_until=at("2026-05-01 00:00"))

    _run("2026-05-04 08:00", django_capture_on_commit_callbacks)

    assert _bell(suspended) == [] and _bell(inactive) == []
    assert points.balance(suspended) == 0 and points.balance(inactive) == 0
    assert len(_bell(lifted)) == 1  # a suspension that ended no longer counts
    assert [m.to for m in mail.outbox] == [[lifted.email]]


def test_today_is_the_date_in_the_sites_time_zone(settings, django_capture_on_commit_callbacks):
    settings.TIME_ZONE = "Pacific/Auckland"
    maya = _member(birthday_month=5, birthday_day=4, joined="2025-05-03 20:00")  # 4 May there

    out = _run("2026-05-03 20:00", django_capture_on_commit_callbacks)  # 08:00 on 4 May there

    assert out.startswith("2026-05-04:")
    assert {g.kind for g in Greeting.objects.filter(member=maya)} == {"birthday", "anniversary"}
    assert Greeting.objects.filter(on_date="2026-05-04").count() == 2


def test_the_profile_form_turns_greeting_emails_off(member, member_client):
    page = member_client.get(f"/members/{member.username}/edit/")
    assert "Email me on my birthday and join anniversary" in page.content.decode()
    assert member.greetings_by_email

    response = member_client.post(
        f"/members/{member.username}/edit/",
        {"display_name": "Maya", "bio": "", "birthday_month": "5", "birthday_day": "4"},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.greetings_by_email
    assert (member.birthday_month, member.birthday_day) == (5, 4)


def test_the_scheduler_runs_the_greetings_daily_in_the_morning_site_time(settings):
    [job] = [job for job in scheduler.SCHEDULE if job.name == "send_greetings"]
    assert str(job.run) == "manage.py send_greetings"
    assert job.every == timedelta(days=1)
    assert job.at == timedelta(hours=8)  # TIME_ZONE is UTC here

    settings.TIME_ZONE = "America/New_York"
    assert scheduler.daily_at_site_time(8) == timedelta(hours=13)
    settings.TIME_ZONE = "Asia/Kolkata"
    assert scheduler.daily_at_site_time(8) == timedelta(hours=2, minutes=30)
    settings.TIME_ZONE = "Pacific/Auckland"
    assert scheduler.daily_at_site_time(8) == timedelta(hours=19)

    out = io.StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    assert "send_greetings" in out.getvalue()
