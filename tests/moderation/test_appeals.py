"""Appeals: once per penalty, by its member; a different moderator decides, with a reply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from community import review
from community.models import Notification
from community.moderation import actions
from community.moderation.actions import PenaltyError
from community.moderation.models import Appeal, Penalty
from community.review import StaleItem
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_moderator(db):
    return make_moderator(username="sam_mod", display_name="Sam Moderator")


def _appeal(client, penalty, text="I was quoting someone else."):
    return client.post(f"/penalties/{penalty.pk}/", {"text": text}, follow=True)


def test_the_member_appeals_once_from_the_penalty_page(silence, member_client):
    penalty = silence()
    page = member_client.get(f"/penalties/{penalty.pk}/").content.decode()
    assert "Send my appeal" in page and "Personal attacks" in page
    page = _appeal(member_client, penalty).content.decode()
    assert "Your appeal is sent" in page
    assert "Send my appeal" not in page
    assert Appeal.objects.get(penalty=penalty).text == "I was quoting someone else."
    page = _appeal(member_client, penalty, "again").content.decode()
    assert "You have already appealed this penalty." in page
    assert Appeal.objects.count() == 1
    assert ModelLogEntry.objects.filter(action="hearth.appeal.create").count() == 1


def test_the_action_refuses_a_second_appeal(silence, member):
    penalty = silence()
    actions.appeal(penalty=penalty, member=member, text="one")
    with pytest.raises(PenaltyError, match="already appealed"):
        actions.appeal(penalty=penalty, member=member, text="two")


def test_an_empty_appeal_is_refused_with_a_message(silence, member_client):
    penalty = silence()
    page = _appeal(member_client, penalty, "   ").content.decode()
    assert "Tell the moderators why" in page
    assert not Appeal.objects.exists()


def test_nobody_else_can_see_or_appeal_a_penalty(silence, other_member_client, visitor_client):
    penalty = silence()
    assert other_member_client.get(f"/penalties/{penalty.pk}/").status_code == 404
    assert _appeal(other_member_client, penalty).status_code == 404
    response = visitor_client.get(f"/penalties/{penalty.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Appeal.objects.exists()


def test_an_old_penalty_can_no_longer_be_appealed(silence, member_client):
    penalty = silence()
    Penalty.objects.filter(pk=penalty.pk).update(
        starts_at=timezone.now() - timedelta(days=20), ends_at=timezone.now() - timedelta(days=10)
    )
    page = _appeal(member_client, penalty).content.decode()
    assert "can no longer be appealed" in page
    assert not Appeal.objects.exists()


def test_the_moderator_who_gave_the_penalty_cannot_decide_the_appeal(
    silence, member, moderator, moderator_client
):
    penalty = silence()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    with pytest.raises(PenaltyError, match="another moderator decides") as refused:
        actions.decide_appeal(appeal=appeal, moderator=moderator, decision="lift", reply="ok")
    assert refused.value.code == "forbidden"
    page = moderator_client.get(f"/admin/moderation/appeals/{appeal.pk}/").content.decode()
    assert "You gave this penalty, so another moderator decides the appeal." in page
    response = moderator_client.post(
        f"/admin/moderation/appeals/{appeal.pk}/", {"decision": "lift", "reply": "ok"}
    )
    assert "another moderator decides" in response.content.decode()
    appeal.refresh_from_db()
    assert not appeal.is_decided
    member.refresh_from_db()
    assert member.is_silenced


def test_another_moderator_lifts_it_and_the_member_is_told(
    silence, member, other_moderator, django_capture_on_commit_callbacks
):
    from tests.conftest import _client_for

    penalty = silence()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    mail.outbox.clear()
    client = _client_for(other_moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/moderation/appeals/{appeal.pk}/",
            {"decision": "lift", "reply": "You were quoting; sorry about that."},
        )
    assert response.status_code == 302
    appeal.refresh_from_db()
    penalty.refresh_from_db()
    member.refresh_from_db()
    assert appeal.decision == "lift" and appeal.decided_by == other_moderator
    assert penalty.lifted_at is not None and not member.is_silenced
    note = Notification.objects.filter(recipient=member, kind="appeal_decided").get()
    assert "accepted" in note.text
    (email,) = mail.outbox
    assert "You were quoting; sorry about that." in email.body
    page = _client_for(member).get(f"/penalties/{penalty.pk}/").content.decode()
    assert "You were quoting; sorry about that." in page
    assert "You are silenced" not in page


def test_another_moderator_shortens_it(silence, member, other_moderator):
    penalty = silence()
    appeal = actions.appeal(penalty=penalty, member=member, text="too long")
    new_end = timezone.now() + timedelta(hours=2)
    actions.decide_appeal(
        appeal=appeal,
        moderator=other_moderator,
        decision="shorten",
        reply="Two hours is enough.",
        new_ends_at=new_end,
    )
    member.refresh_from_db()
    penalty.refresh_from_db()
    assert penalty.ends_at == new_end and member.silenced_until == new_end


def test_a_shortened_end_must_be_before_the_current_one(silence, member, other_moderator):
    penalty = silence()
    appeal = actions.appeal(penalty=penalty, member=member, text="too long")
    with pytest.raises(PenaltyError, match="new end between now and the current end"):
        actions.decide_appeal(
            appeal=appeal,
            moderator=other_moderator,
            decision="shorten",
            reply="x",
            new_ends_at=penalty.ends_at + timedelta(days=1),
        )


def test_an_appeal_already_decided_is_stale_and_nothing_changes(silence, member, other_moderator):
    third = make_moderator(username="third_mod")
    penalty = silence()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    actions.decide_appeal(appeal=appeal, moderator=other_moderator, decision="uphold", reply="No.")
    with pytest.raises(StaleItem):
        actions.decide_appeal(appeal=appeal, moderator=third, decision="lift", reply="Yes.")
    appeal.refresh_from_db()
    member.refresh_from_db()
    assert appeal.decision == "uphold" and appeal.decided_by == other_moderator
    assert member.is_silenced


def test_appeals_wait_in_the_review_inbox_and_are_decided_there(
    silence, member, moderator, other_moderator
):
    source = review.source("appeal")
    assert source is not None
    penalty = silence()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    (item,) = source.pending()
    assert item.ref == f"appeal:{appeal.pk}" and item.member == member
    assert "silenced" in item.title and item.summary == "please"
    assert source.count() == 1
    with pytest.raises(PenaltyError):
        source.decide(key=item.key, decision="lift", moderator=moderator, reason="ok")
    message = source.decide(key=item.key, decision="lift", moderator=other_moderator, reason="ok")
    assert "lifted" in message
    assert source.count() == 0
    with pytest.raises(StaleItem):
        source.decide(key=item.key, decision="uphold", moderator=other_moderator, reason="no")


def assert_turned_away(response, persona: str) -> None:
    """Members never reach the admin, and an editor, who may use the admin but not this
    screen, is refused too: a 403 page either way (hearth/admin_denied.py)."""
    assert response.status_code == 403, persona


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "editor_client"])
def test_members_and_editors_cannot_decide_appeals(request, persona, silence, member):
    penalty = silence()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    client = request.getfixturevalue(persona)
    url = f"/admin/moderation/appeals/{appeal.pk}/"
    assert_turned_away(client.get(url), persona)
    assert_turned_away(client.post(url, {"decision": "lift", "reply": "ok"}), persona)
    assert_turned_away(client.get("/admin/moderation/appeals/"), persona)
    appeal.refresh_from_db()
    assert not appeal.is_decided


def test_a_visitor_is_sent_to_sign_in(visitor_client, silence, member):
    appeal = actions.appeal(penalty=silence(), member=member, text="please")
    response = visitor_client.get(f"/admin/moderation/appeals/{appeal.pk}/")
    assert response.status_code == 302 and "login" in response.url


def test_an_editor_cannot_decide_through_the_action(silence, member, editor):
    appeal = actions.appeal(penalty=silence(), member=member, text="please")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.decide_appeal(appeal=appeal, moderator=editor, decision="lift", reply="ok")


def test_appeal_text_and_reply_lose_bidi_overrides_and_zero_width_characters(
    silence, member, other_moderator
):
    penalty = silence()
    appeal = actions.appeal(penalty=penalty, member=member, text="I was \u202equoting\u202c\u200b")
    assert appeal.text == "I was quoting"
    appeal = actions.decide_appeal(
        appeal=appeal, moderator=other_moderator, decision="uphold", reply="\u200bNo.\u2066"
    )
    assert appeal.reply == "No."


def test_the_action_says_why_a_penalty_cannot_be_appealed(silence):
    penalty = silence()
    assert actions.why_not_appeal(penalty, appealed=False) is None
    assert actions.why_not_appeal(penalty, appealed=True).code == "duplicate"
    Penalty.objects.filter(pk=penalty.pk).update(
        starts_at=timezone.now() - timedelta(days=20), ends_at=timezone.now() - timedelta(days=10)
    )
    penalty.refresh_from_db()
    assert actions.why_not_appeal(penalty, appealed=False).code == "closed"
