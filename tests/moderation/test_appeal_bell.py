"""A new appeal rings the moderators who may decide it (not the one who gave the penalty)."""

from __future__ import annotations

import pytest

from community.models import Notification
from community.moderation import actions
from tests.factories import make_member, make_moderator

pytestmark = pytest.mark.django_db


def test_a_new_appeal_rings_every_moderator_but_the_one_who_gave_the_penalty(
    silence, member, moderator, django_capture_on_commit_callbacks
):
    penalty = silence()
    others = [make_moderator(username="sam_mod"), make_moderator(username="nina_mod")]
    bystander = make_member()

    with django_capture_on_commit_callbacks(execute=True):
        actions.appeal(penalty=penalty, member=member, text="I was quoting someone.")

    for other in others:
        bell = Notification.objects.get(recipient=other, kind="review_needed")
        assert bell.text == "Maya appealed against being silenced and waits for a reply."
        assert bell.url == "/admin/inbox/?kind=appeal"
    for person in (moderator, member, bystander):
        assert not Notification.objects.filter(recipient=person, kind="review_needed").exists()


def test_a_refused_appeal_rings_nobody(silence, member, django_capture_on_commit_callbacks):
    penalty = silence()
    make_moderator(username="sam_mod")
    actions.appeal(penalty=penalty, member=member, text="once")
    Notification.objects.filter(kind="review_needed").delete()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(actions.PenaltyError),
    ):
        actions.appeal(penalty=penalty, member=member, text="twice")

    assert not Notification.objects.filter(kind="review_needed").exists()
