"""Staff who open another role's admin screen get the site's 403 page, as members do,
not Wagtail's redirect to the dashboard with "Sorry, you do not have permission to access
this area."; visitors are still sent to the admin's sign-in."""

from __future__ import annotations

import pytest
from django.test import Client

from blog.models import Author
from recognition.models import Challenge, SurpriseSettings
from referrals.models import PointsRule
from survey.models import SurveySettings
from tests.recognition.factories import make_challenge

pytestmark = pytest.mark.django_db

WAGTAIL_REFUSAL = "Sorry, you do not have permission to access this area."
REFUSAL_PAGE = "You can’t do that here"


def _editors_screens() -> list[str]:
    rule = PointsRule.objects.first()
    assert rule is not None  # the data migration writes the rules the code knows
    return [
        "/admin/challenges/",
        f"/admin/challenges/edit/{make_challenge().pk}/",
        f"/admin/points_rules/edit/{rule.pk}/",
        f"/admin/snippets/blog/author/edit/{Author.objects.create(name='Ada').pk}/",
        f"/admin/settings/survey/surveysettings/{SurveySettings.load().pk}/",
        f"/admin/settings/recognition/surprisesettings/{SurpriseSettings.load().pk}/",
    ]


def _refused(response) -> bool:
    return response.status_code == 403 and REFUSAL_PAGE in response.content.decode()


def _no_leftover_message(client: Client) -> None:
    """The refusal is the page itself: the next admin page shows no stale message."""
    home = client.get("/admin/")
    assert home.status_code == 200
    assert WAGTAIL_REFUSAL not in home.content.decode()


def test_it_refuses_moderators_on_the_editors_screens_with_a_403_page(moderator_client):
    for url in _editors_screens():
        response = moderator_client.get(url)
        assert _refused(response), (url, response.status_code, response.get("Location"))
        # A staff member is told about this page, not the one members get.
        assert "The editors’ area is for editors and moderators" not in response.content.decode()
    _no_leftover_message(moderator_client)


def test_it_refuses_a_moderators_form_post_and_changes_nothing(moderator_client):
    challenge = make_challenge()
    response = moderator_client.post(
        f"/admin/challenges/edit/{challenge.pk}/", {"title": "Hacked", "goal": "1"}
    )
    assert _refused(response)
    challenge.refresh_from_db()
    assert challenge.title != "Hacked"
    assert Challenge.objects.count() == 1


def test_it_refuses_editors_on_the_moderators_screens_the_same_way(editor_client):
    for url in ("/admin/inbox/", "/admin/moderation/members/"):
        response = editor_client.get(url)
        assert _refused(response), (url, response.status_code, response.get("Location"))
    _no_leftover_message(editor_client)


def test_editors_still_open_their_screens(editor_client):
    for url in _editors_screens():
        assert editor_client.get(url).status_code == 200, url


def test_members_still_get_the_admin_refusal(member_client):
    for url in _editors_screens():
        response = member_client.get(url)
        assert _refused(response), url
        assert "The editors’ area is for editors and moderators" in response.content.decode()


def test_visitors_are_still_sent_to_the_admin_sign_in(visitor_client):
    for url in _editors_screens():
        response = visitor_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
