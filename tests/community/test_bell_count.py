"""The bell's count in every page's header comes from the cache (community/notifications.py)
and changes the moment a notification is created, read or deleted."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.actions import notify
from community.models import Notification
from community.notifications import mark_notifications_read

pytestmark = pytest.mark.django_db


def _bell(client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    count = re.search(r"data-unread-count[^>]*>(\d+)<", html)
    assert count, "no bell on the page"
    asked = [q["sql"] for q in queries.captured_queries if "community_notification" in q["sql"]]
    return int(count.group(1)), asked


def test_the_count_is_read_once_then_kept(member_client, member, other_member):
    notify(recipient=member, kind="system", text="Welcome", actor=other_member)
    first, asked_first = _bell(member_client)
    second, asked_second = _bell(member_client)
    assert first == second == 1
    assert len(asked_first) == 1 and asked_second == []


def test_a_new_notification_shows_at_once(member_client, member, other_member):
    assert _bell(member_client)[0] == 0
    notify(recipient=member, kind="system", text="Hello", actor=other_member)
    assert _bell(member_client)[0] == 1


def test_reading_them_shows_at_once(member_client, member, other_member):
    for text in ("One", "Two"):
        notify(recipient=member, kind="system", text=text, actor=other_member)
    assert _bell(member_client)[0] == 2
    mark_notifications_read(member=member)
    assert _bell(member_client)[0] == 0


def test_a_deleted_notification_leaves_the_count(member_client, member, other_member):
    notification = notify(recipient=member, kind="system", text="Oops", actor=other_member)
    assert _bell(member_client)[0] == 1
    Notification.objects.filter(pk=notification.pk).get().delete()
    assert _bell(member_client)[0] == 0


def test_one_members_count_is_not_anothers(member_client, other_member_client, member):
    notify(recipient=member, kind="system", text="For you")
    assert _bell(member_client)[0] == 1
    assert _bell(other_member_client)[0] == 0
