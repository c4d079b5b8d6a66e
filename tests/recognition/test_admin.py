"""Editors set challenges and the surprise in the admin; moderators and editors audit the
draws; bad input comes back as a form error, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from recognition.models import Challenge, SurpriseDraw, SurpriseSettings
from tests.factories import make_member
from tests.recognition.factories import make_challenge, surprise_settings, warm_action

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/admin/settings/recognition/surprisesettings/"
DRAWS_URL = "/admin/surprise-draws/"


def _form(**overrides) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "title": "Answer 5 questions in Getting started",
        "description": "Newcomers have questions; help five of them.",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=7)).isoformat(),
        "action": "solution",
        "key_contains": "getting-started",
        "goal": "5",
        "reward_points": "25",
        "reward_badge": "",
        "audience": "all",
        **overrides,
    }


def _refused(response) -> bool:
    """The site's refusal page (members never reach the admin; staff without the right
    get the same page)."""
    return response.status_code == 403 and "You can’t do that here" in response.content.decode()


def _settings_url() -> str:
    return f"{SETTINGS_URL}{SurpriseSettings.load().pk}/"


def test_an_editor_creates_a_challenge_and_it_is_logged(editor_client, editor):
    assert editor_client.get("/admin/challenges/new/").status_code == 200

    response = editor_client.post("/admin/challenges/new/", _form())

    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert challenge.title == "Answer 5 questions in Getting started"
    assert (challenge.action, challenge.goal, challenge.reward_points) == ("solution", 5, 25)
    assert challenge.window_ends_at - challenge.window_starts_at == timedelta(days=8)
    entry = ModelLogEntry.objects.get(action="wagtail.create")
    assert (entry.user, entry.object_id) == (editor, str(challenge.pk))
    listing = editor_client.get("/admin/challenges/").content.decode()
    assert "Answer 5 questions in Getting started" in listing


def test_an_editor_edits_a_challenge_and_it_is_logged(editor_client, editor):
    challenge = make_challenge()
    today = timezone.localdate()

    response = editor_client.post(
        f"/admin/challenges/edit/{challenge.pk}/",
        _form(
            title="Answer 3 questions", goal="3", ends_on=(today + timedelta(days=2)).isoformat()
        ),
    )

    assert response.status_code == 302
    challenge.refresh_from_db()
    assert (challenge.title, challenge.goal) == ("Answer 3 questions", 3)
    assert challenge.window_ends_at.date() == today + timedelta(days=3)
    assert ModelLogEntry.objects.filter(action="wagtail.edit", user=editor).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"ends_on": (timezone.localdate() - timedelta(days=1)).isoformat()},
            "ends_on",
            "The end date must be on or after the start date.",
        ),
        ({"goal": "0"}, "goal", "Ensure this value is greater than or equal to 1."),
        ({"goal": "-3"}, "goal", "Ensure this value is greater than or equal to 0."),
        ({"goal": "many"}, "goal", "Enter a whole number."),
        ({"goal": "99999999999999999999"}, "goal", "Ensure this value is less than or equal to"),
        ({"starts_on": "next tuesday"}, "starts_on", "Enter a valid date."),
        ({"action": "sleeping"}, "action", "Select a valid choice."),
        ({"audience": "nobody"}, "audience", "Select a valid choice."),
        ({"reward_badge": "first_friend"}, "reward_badge", "Select a valid choice."),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_bad_input_comes_back_as_a_form_error(editor_client, overrides, field, message):
    response = editor_client.post("/admin/challenges/new/", _form(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert any(message in error for error in errors[field])
    assert not Challenge.objects.exists()


def test_a_bad_edit_changes_nothing(editor_client):
    challenge = make_challenge(goal=2)
    response = editor_client.post(f"/admin/challenges/edit/{challenge.pk}/", _form(goal="0"))
    assert response.status_code == 200
    challenge.refresh_from_db()
    assert challenge.goal == 2


def test_moderators_and_members_cannot_set_challenges(moderator_client, member_client):
    challenge = make_challenge()
    for client, refused in ((moderator_client, _refused), (member_client, _refused)):
        for url in ("/admin/challenges/", "/admin/challenges/new/"):
            assert refused(client.get(url)), url
        response = client.post(f"/admin/challenges/edit/{challenge.pk}/", _form(title="Hacked"))
        assert refused(response)
        assert refused(client.post("/admin/challenges/new/", _form()))
    assert Challenge.objects.count() == 1
    challenge.refresh_from_db()
    assert challenge.title == "Answer 2 questions"


def test_visitors_are_sent_to_sign_in(visitor_client):
    for url in ("/admin/challenges/", SETTINGS_URL, DRAWS_URL):
        response = visitor_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_an_editor_sets_the_surprise_and_bad_ranges_are_refused(editor_client, editor):
    assert editor_client.get(SETTINGS_URL).status_code == 302  # to the one row's form
    assert editor_client.get(_settings_url()).status_code == 200
    values = {"odds": "20", "monthly_budget": "500", "min_points": "2", "max_points": "10"}

    refused = editor_client.post(_settings_url(), {**values, "min_points": "9", "max_points": "3"})
    assert refused.status_code == 200
    assert "The largest surprise must be at least the smallest one." in refused.content.decode()
    for bad in ({"odds": "-1"}, {"min_points": "0"}, {"monthly_budget": "lots"}):
        assert editor_client.post(_settings_url(), {**values, **bad}).status_code == 200
    assert SurpriseSettings.load().odds == 0

    assert editor_client.post(_settings_url(), values).status_code == 302
    config = SurpriseSettings.load()
    assert (config.odds, config.monthly_budget, config.min_points, config.max_points) == (
        20,
        500,
        2,
        10,
    )
    assert ModelLogEntry.objects.filter(action="wagtail.edit", user=editor).exists()


def test_moderators_cannot_set_the_surprise(moderator_client):
    response = moderator_client.post(_settings_url(), {"odds": "1", "monthly_budget": "9999"})
    assert _refused(response)
    assert SurpriseSettings.load().odds == 0


def test_moderators_and_editors_audit_every_draw(
    moderator_client, editor_client, member, on_commit
):
    surprise_settings(odds=1, monthly_budget=50, min_points=3, max_points=3)
    with on_commit():
        warm_action(member, key="forum.post:77")

    for client in (moderator_client, editor_client):
        response = client.get(DRAWS_URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Maya (@maya)" in html
        assert "post:forum.post:77" in html
        assert "50 of 50" in html  # what was left before the draw
        assert "1 in 1" in html
        assert ">won<" in html


def test_the_draws_list_takes_filters_and_ignores_nonsense(moderator_client, member, other_member):
    surprise_settings(odds=1, monthly_budget=50)
    warm_action(member)
    warm_action(other_member)
    from recognition import surprise
    from referrals.models import MemberAction

    for action in MemberAction.objects.all():
        surprise.draw(action=action)
    assert SurpriseDraw.objects.count() == 2

    only_sam = moderator_client.get(DRAWS_URL, {"member": "SAM"}).content.decode()
    assert "(@sam)" in only_sam and "(@maya)" not in only_sam
    for nonsense in (
        {"outcome": "jackpot"},
        {"page": "last"},
        {"page": "-4"},
        {"member": "x" * 999},
    ):
        assert moderator_client.get(DRAWS_URL, nonsense).status_code == 200


def test_members_never_see_the_draws(member_client):
    assert _refused(member_client.get(DRAWS_URL))


def test_staff_without_a_role_get_a_403(db):
    staff = make_member(username="intern")
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(staff)
    response = client.get(DRAWS_URL)
    assert _refused(response)


def test_the_draws_list_refuses_writing(moderator_client):
    assert moderator_client.post(DRAWS_URL).status_code == 405
