from __future__ import annotations

import pytest

from community import actions
from community.models import Notification

pytestmark = pytest.mark.django_db


def test_it_lists_a_members_notifications_and_the_bell_count(member_client, member, other_member):
    actions.notify(recipient=member, kind="reply", text="Sam replied", url="/", actor=other_member)
    actions.notify(recipient=other_member, kind="reply", text="Not for Maya", actor=member)
    response = member_client.get("/notifications/")
    html = response.content.decode()
    assert "Sam replied" in html
    assert "Not for Maya" not in html
    assert 'data-unread-count aria-live="polite">1<' in html


def test_it_marks_a_notification_read_when_opened_and_follows_it(member_client, member):
    n = actions.notify(recipient=member, kind="reply", text="Look", url="/members/maya/")
    response = member_client.get(f"/notifications/{n.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/members/maya/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_it_never_redirects_off_site(member_client, member):
    n = actions.notify(recipient=member, kind="x", text="Evil", url="https://evil.example/")
    response = member_client.get(f"/notifications/{n.pk}/")
    assert response["Location"] == "/notifications/"


def test_it_hides_other_members_notifications(other_member_client, member):
    n = actions.notify(recipient=member, kind="reply", text="Private")
    assert other_member_client.get(f"/notifications/{n.pk}/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_it_marks_all_read(member_client, member):
    for i in range(3):
        actions.notify(recipient=member, kind="reply", text=f"n{i}")
    assert member_client.get("/notifications/read-all/").status_code == 405
    response = member_client.post("/notifications/read-all/", follow=True)
    assert "All notifications are marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_it_sends_visitors_to_sign_in(visitor_client):
    assert visitor_client.get("/notifications/").status_code == 302


def test_it_lists_notifications_in_a_constant_number_of_queries(
    member_client, member, other_member, django_assert_max_num_queries
):
    for i in range(40):
        actions.notify(recipient=member, kind="reply", text=f"n{i}", actor=other_member)
    with django_assert_max_num_queries(6):
        member_client.get("/notifications/")
