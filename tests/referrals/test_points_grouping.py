"""The referral hub's "Latest points": repeated entries in a row read as one line
("+1 × 5 a chat message"), not the same words down the page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import PointsEntry

pytestmark = pytest.mark.django_db

URL = "/referrals/"


def _entry(member, key: str, amount: int, reason: str, minutes_ago: int) -> PointsEntry:
    return PointsEntry.objects.create(
        member=member,
        amount=amount,
        reason=reason,
        idempotency_key=key,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def _latest(html: str) -> list[str]:
    """The "Latest points" lines as a reader sees them (tags dropped, spaces collapsed)."""
    section = html[html.index('id="points-heading"') :]
    section = section[: section.index("</ul>")]
    items = re.findall(r"<li[^>]*>(.*?)</li>", section, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_repeated_entries_in_a_row_share_one_line(member, member_client):
    _entry(member, "solution:forum.post:1", 30, "Your reply was marked as the solution", 60)
    for n in range(5):
        _entry(member, f"chat:chat.chatmessage:{n}", 1, "a chat message", 20 - n)
    _entry(member, "visit:1", 2, "a visit streak", 1)

    lines = _latest(member_client.get(URL).content.decode())

    assert lines == [
        "+2 a visit streak a minute ago",
        "+1 × 5 a chat message (5 points) 16 minutes ago",
        "+30 Your reply was marked as the solution an hour ago",
    ]


def test_entries_with_another_amount_are_not_merged(member, member_client):
    _entry(member, "chat:chat.chatmessage:1", 1, "a chat message", 3)
    _entry(member, "chat:chat.chatmessage:2", 2, "a chat message", 2)
    _entry(member, "reverse:chat:chat.chatmessage:2", -2, "a chat message", 1)

    lines = _latest(member_client.get(URL).content.decode())

    assert [line.split()[0] for line in lines] == ["−2", "+2", "+1"]


def test_a_member_sees_only_their_own_latest_points(member, other_member, member_client):
    _entry(other_member, "chat:chat.chatmessage:9", 1, "someone else's message", 1)
    html = member_client.get(URL).content.decode()
    assert "someone else" not in html
