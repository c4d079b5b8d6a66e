"""The member's record in the admin: moderators only, without the editors' powers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from community.models import Notification
from community.moderation.models import StaffNote
from referrals.models import SignUp
from tests.factories import make_member
from tests.forum.factories import make_topic
from tests.moderation.test_appeals import assert_turned_away

pytestmark = pytest.mark.django_db


def _url(member) -> str:
    return f"/admin/moderation/members/{member.pk}/"


def test_a_moderator_sees_posts_penalties_and_linked_accounts(silence, member, moderator_client):
    topic = make_topic(author=member, title="Rye starter that went grey")
    silence()
    twin = make_member(username="maya_two")
    SignUp.objects.create(member=member, browser="b" * 32, network_hash="n" * 32)
    SignUp.objects.create(member=twin, browser="b" * 32, network_hash="m" * 32)
    response = moderator_client.get(_url(member))
    assert response.status_code == 200
    page = response.content.decode()
    assert topic.title in page
    assert "Silence" in page and "Personal attacks" in page and "You called maya a troll" in page
    assert "Why lift it?" in page  # the running silence can be lifted here, with a reason
    same_browser = page.split("Same browser", 1)[1].split("Same network", 1)[0]
    assert "maya_two" in same_browser


def test_a_moderator_adds_a_private_note_the_member_never_sees(
    member, moderator, moderator_client, member_client
):
    response = moderator_client.post(
        f"{_url(member)}notes/", {"text": "Warned in chat on Monday."}, follow=True
    )
    assert "Warned in chat on Monday." in response.content.decode()
    note = StaffNote.objects.get()
    assert note.member == member and note.author == moderator
    assert (
        "Warned in chat" not in member_client.get(f"/members/{member.username}/").content.decode()
    )
    assert not Notification.objects.filter(recipient=member).exists()


def test_an_empty_note_is_refused_with_a_message(member, moderator_client):
    response = moderator_client.post(f"{_url(member)}notes/", {"text": " "})
    assert response.status_code == 400
    assert "Write the note first." in response.content.decode()
    assert not StaffNote.objects.exists()


def test_lifting_here_needs_a_typed_reason(
    silence, member, moderator_client, django_capture_on_commit_callbacks
):
    penalty = silence()
    url = f"/admin/moderation/penalties/{penalty.pk}/lift/"
    page = moderator_client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "Say why you lift it" in page
    member.refresh_from_db()
    assert member.is_silenced
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(url, {"reason": "Cleared up in private messages"})
    member.refresh_from_db()
    penalty.refresh_from_db()
    assert not member.is_silenced
    assert penalty.lift_reason == "Cleared up in private messages"
    assert len(mail.outbox) == 1 and "was lifted" in mail.outbox[0].body


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "editor_client"])
def test_members_and_editors_cannot_open_a_member_record(request, persona, member, silence):
    penalty = silence()
    client = request.getfixturevalue(persona)
    assert_turned_away(client.get(_url(member)), persona)
    assert_turned_away(client.get("/admin/moderation/members/?q=maya"), persona)
    assert_turned_away(client.post(f"{_url(member)}notes/", {"text": "x"}), persona)
    lift = client.post(f"/admin/moderation/penalties/{penalty.pk}/lift/", {"reason": "x"})
    assert_turned_away(lift, persona)
    assert not StaffNote.objects.exists()
    member.refresh_from_db()
    assert member.is_silenced


def test_a_visitor_is_sent_to_sign_in(visitor_client, member):
    response = visitor_client.get(_url(member))
    assert response.status_code == 302 and "login" in response.url


def test_moderators_reach_the_admin_without_the_editors_page_powers(moderator):
    group = Group.objects.get(name="Moderators")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "access_admin" in codenames
    assert not {"add_page", "change_page", "publish_page"} & codenames
    assert not group.page_permissions.exists()
    assert moderator.has_perm("moderation.change_cannedreason")


def test_only_moderators_edit_canned_reasons(moderator_client, editor_client, member_client):
    add = "/admin/canned_reasons/new/"
    data = {"title": "Impersonation", "text": "Do not pretend to be someone else.", "active": "on"}
    assert moderator_client.get(add).status_code == 200
    assert moderator_client.post(add, data).status_code == 302
    assert_turned_away(editor_client.get(add), "editor_client")
    assert_turned_away(editor_client.post(add, data | {"title": "Editors"}), "editor_client")
    assert_turned_away(member_client.get(add), "member_client")
    from community.moderation.models import CannedReason

    assert CannedReason.objects.filter(title="Impersonation").exists()
    assert not CannedReason.objects.filter(title="Editors").exists()
