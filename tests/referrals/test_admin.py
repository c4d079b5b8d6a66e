from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from referrals import actions, awards
from referrals.models import PointsRule, Referral, Status, ThankYouTask
from referrals.periods import month_of
from tests.factories import make_member
from tests.referrals.factories import browser, converted_referral, follow, link_for, make_referral

pytestmark = pytest.mark.django_db

HELD = "/admin/referrals/held/"
LINKS = "/admin/referrals/links/"
DASHBOARD = "/admin/referrals/dashboard/"
THANKS = "/admin/referrals/thank-you/"


@pytest.fixture
def held(member):
    return make_referral(
        referrer=member,
        referee=make_member(display_name="Flatmate"),
        status=Status.HELD,
        hold_reasons=["same_network"],
    )


@pytest.fixture
def task(member):
    return ThankYouTask.objects.create(member=member, kind="award", period="2026-04")


# --- the permission matrix -------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,held_list,dashboard,thanks",
    [
        ("visitor_client", 302, 302, 302),
        ("member_client", 403, 403, 403),
        ("moderator_client", 200, 403, 403),
        ("editor_client", 403, 200, 200),
    ],
)
def test_who_may_open_which_screen(request, persona, held_list, dashboard, thanks, held, task):
    client = request.getfixturevalue(persona)
    assert client.get(HELD).status_code == held_list
    assert client.get(f"{HELD}{held.pk}/").status_code == held_list
    assert client.get(LINKS).status_code == held_list
    assert client.get(DASHBOARD).status_code == dashboard
    assert client.get(f"{DASHBOARD}?format=csv").status_code == dashboard
    assert client.get(THANKS).status_code == thanks
    assert client.get(f"{THANKS}{task.pk}/").status_code == thanks


def test_a_member_cannot_decide_a_referral(member_client, held):
    response = member_client.post(f"{HELD}{held.pk}/", {"decision": "approve"})
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == Status.HELD


def test_an_editor_cannot_decide_a_referral(editor_client, held):
    assert editor_client.post(f"{HELD}{held.pk}/", {"decision": "approve"}).status_code == 403


def test_the_menu_shows_each_role_its_screens(moderator_client, editor_client):
    moderator_home = moderator_client.get("/admin/").content.decode()
    assert HELD in moderator_home and DASHBOARD not in moderator_home
    editor_home = editor_client.get("/admin/").content.decode()
    assert DASHBOARD in editor_home and THANKS in editor_home and HELD not in editor_home


# --- reviewing held referrals --------------------------------------------------------------


def test_moderators_see_held_referrals_with_their_reasons(moderator_client, held):
    content = moderator_client.get(HELD).content.decode()
    assert "Flatmate" in content
    assert "Same network as the referrer" in content
    review = moderator_client.get(f"{HELD}{held.pk}/").content.decode()
    # Moderators read what to check, not the words written for the referrer.
    assert "same network as you" not in review
    assert "Check that they are different people" in review


def test_a_moderator_approves_a_held_referral(moderator_client, moderator, held):
    response = moderator_client.post(f"{HELD}{held.pk}/", {"decision": "approve", "note": ""})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Status.COUNTING
    assert held.reviewed_by == moderator
    entry = ModelLogEntry.objects.get(action="hearth.referrals.approve")
    assert entry.user_id == moderator.pk
    assert entry.object_id == str(held.pk)


def test_a_moderator_rejects_with_a_note(moderator_client, held, member):
    response = moderator_client.post(
        f"{HELD}{held.pk}/", {"decision": "reject", "note": "Same household, same person."}
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Status.REJECTED
    assert held.review_note == "Same household, same person."
    assert ModelLogEntry.objects.get(action="hearth.referrals.reject").data["note"] == (
        "Same household, same person."
    )
    assert member.notifications.filter(kind="referral_rejected").exists()


def test_rejecting_without_a_note_is_refused_with_a_message(moderator_client, held):
    response = moderator_client.post(f"{HELD}{held.pk}/", {"decision": "reject", "note": " "})
    assert response.status_code == 400
    assert "Write a short note saying why" in response.content.decode()
    held.refresh_from_db()
    assert held.status == Status.HELD


def test_a_nonsense_decision_is_refused(moderator_client, held):
    response = moderator_client.post(f"{HELD}{held.pk}/", {"decision": "delete"})
    assert response.status_code == 400
    held.refresh_from_db()
    assert held.status == Status.HELD


def test_a_referral_decided_meanwhile_is_not_decided_twice(moderator_client, moderator, held):
    actions.approve_referral(referral=held, moderator=moderator)
    response = moderator_client.post(
        f"{HELD}{held.pk}/", {"decision": "reject", "note": "late"}, follow=True
    )
    assert "no longer waiting for review" in response.content.decode()
    held.refresh_from_db()
    assert held.status == Status.COUNTING


def test_an_unknown_referral_is_404(moderator_client):
    assert moderator_client.get(f"{HELD}999999/").status_code == 404


def test_review_screens_refuse_other_methods(moderator_client, held):
    assert moderator_client.put(f"{HELD}{held.pk}/").status_code == 405
    assert moderator_client.post(HELD).status_code == 405
    assert moderator_client.post(LINKS).status_code == 405


def test_moderators_find_links_by_owner(moderator_client, member):
    link = link_for(member)
    content = moderator_client.get(LINKS, {"q": "maya"}).content.decode()
    assert f"/r/{link.code}/" in content
    assert "No links match" in moderator_client.get(LINKS, {"q": "nobody"}).content.decode()


# --- the dashboard -----------------------------------------------------------------------


@pytest.fixture
def activity(member):
    link = link_for(member, target_path="/guides/bread/")
    link.target_title = "Bread for beginners"
    link.save()
    for n in range(4):
        follow(browser(f"198.51.100.{n + 1}"), link)
    from django.test import Client

    follow(Client(HTTP_USER_AGENT="Googlebot/2.1", REMOTE_ADDR="66.249.66.1"), link)
    referral = converted_referral(referrer=member)
    Referral.objects.filter(pk=referral.pk).update(link=link)
    make_referral(referrer=member)
    make_referral(referrer=member, status=Status.HELD, hold_reasons=["busy_network"])
    return link


def test_editors_see_the_funnel_with_rates_and_charts(editor_client, activity):
    response = editor_client.get(DASHBOARD)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<svg" in content and 'role="img"' in content
    assert "Visits: 4." in content  # crawlers are counted apart
    assert "Sign-ups: 3 (75.0% of the step before)" in content
    assert "Converted: 1 (100.0% of the step before)" in content
    assert "Bread for beginners" in content
    assert "1 visit from a crawler or link preview is not counted above." in content
    assert "Held referrals (1)" in content
    assert "cdn" not in content.lower().replace("cdnjs", "")


def test_the_csv_export_has_the_same_figures(editor_client, activity):
    response = editor_client.get(DASHBOARD, {"period": month_of().key, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert f"referral-dashboard-{month_of().key}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Visits", "4", ""] in rows
    assert ["Sign-ups", "3", "75.0"] in rows
    assert ["/guides/bread/", "Bread for beginners", "1", "1"] in rows


def test_csv_cells_cannot_become_formulas(editor_client, member):
    link = link_for(member, target_path="/guides/x/")
    link.target_title = "=HYPERLINK(1)"
    link.save()
    referral = converted_referral(referrer=member)
    Referral.objects.filter(pk=referral.pk).update(link=link)
    content = editor_client.get(DASHBOARD, {"format": "csv"}).content.decode()
    assert "'=HYPERLINK(1)" in content


def test_a_bad_month_is_explained(editor_client):
    response = editor_client.get(DASHBOARD, {"period": "2026-99"})
    assert response.status_code == 400
    assert "between 01 and 12" in response.content.decode()


def test_an_earlier_month_can_be_shown(editor_client, activity):
    previous = month_of().previous()
    content = editor_client.get(DASHBOARD, {"period": previous.key}).content.decode()
    assert previous.label in content
    assert "Visits: 0." in content


def test_the_dashboard_refuses_other_methods(editor_client):
    assert editor_client.post(DASHBOARD).status_code == 405


# --- thank-you notes -----------------------------------------------------------------------


def test_an_editor_writes_a_thank_you_that_is_emailed_and_recorded(
    editor_client, editor, task, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            f"{THANKS}{task.pk}/", {"message": "Maya, your friends light up the forum. Thank you!"}
        )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.is_sent and task.sent_by == editor
    assert task.message == "Maya, your friends light up the forum. Thank you!"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert "your friends light up the forum" in mail.outbox[0].body
    assert "Eddie" in mail.outbox[0].body
    assert ModelLogEntry.objects.filter(action="hearth.referrals.thank_you").count() == 1
    assert member.notifications.filter(kind="referral_thank_you").exists()
    # it shows as sent and cannot be sent twice
    page = editor_client.get(f"{THANKS}{task.pk}/").content.decode()
    assert "Sent on" in page
    again = editor_client.post(f"{THANKS}{task.pk}/", {"message": "Again"})
    assert again.status_code == 400
    assert "already sent" in again.content.decode()
    assert len(mail.outbox) == 1


def test_an_empty_thank_you_is_refused(editor_client, task):
    response = editor_client.post(f"{THANKS}{task.pk}/", {"message": "   "})
    assert response.status_code == 400
    task.refresh_from_db()
    assert not task.is_sent


def test_the_editors_home_shows_open_tasks(editor_client, task):
    assert "1 thank-you note to write" in editor_client.get("/admin/").content.decode()


def test_editors_can_tune_the_points_rules(editor_client):
    rule = PointsRule.objects.get(action="post")
    response = editor_client.get(f"/admin/points_rules/edit/{rule.pk}/")
    assert response.status_code == 200
    assert editor_client.get("/admin/points_rules/").status_code == 200


def test_moderators_cannot_tune_the_points_rules(moderator_client):
    assert moderator_client.get("/admin/points_rules/").status_code in (302, 403)


# --- the same rules whatever the door ----------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "editor"])
def test_only_moderators_decide_a_referral_whatever_the_door(request, persona, held):
    person = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        actions.approve_referral(referral=held, moderator=person)
    with pytest.raises(PermissionDenied):
        actions.reject_referral(referral=held, moderator=person, note="No.")
    held.refresh_from_db()
    assert held.status == Status.HELD


@pytest.mark.parametrize("persona", ["member", "moderator"])
def test_only_editors_send_thank_yous_whatever_the_door(request, persona, task):
    with pytest.raises(PermissionDenied):
        awards.send_thank_you(task=task, editor=request.getfixturevalue(persona), message="Hi")
    task.refresh_from_db()
    assert not task.is_sent
