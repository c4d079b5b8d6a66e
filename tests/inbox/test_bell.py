"""The bell: every moderator hears when something new needs a human."""

from __future__ import annotations

import pytest

from community.models import Notification
from referrals.models import Status
from tests.factories import make_member, make_moderator
from tests.inbox.conftest import flagged_post, held_referral
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def test_moderators_hear_when_flags_hide_a_post(django_capture_on_commit_callbacks):
    moderators = [make_moderator(), make_moderator()]
    bystander = make_member()

    with django_capture_on_commit_callbacks(execute=True):
        post = flagged_post(flaggers=3)

    for moderator in moderators:
        bell = Notification.objects.get(recipient=moderator, kind="review_needed")
        assert bell.text == (
            "A post in “Rye starter tips” was hidden by members' flags and waits for review."
        )
        assert bell.url == "/admin/inbox/?kind=flag"
    assert not Notification.objects.filter(recipient=bystander, kind="review_needed").exists()
    assert not Notification.objects.filter(recipient=post.author, kind="review_needed").exists()


def test_a_single_flag_does_not_ring(django_capture_on_commit_callbacks):
    make_moderator()
    with django_capture_on_commit_callbacks(execute=True):
        flagged_post(flaggers=1)
    assert not Notification.objects.filter(kind="review_needed").exists()


def test_moderators_hear_when_a_referral_is_held(django_capture_on_commit_callbacks):
    moderator = make_moderator()
    with django_capture_on_commit_callbacks(execute=True):
        held_referral()
        make_referral(status=Status.COUNTING)
    bell = Notification.objects.get(recipient=moderator, kind="review_needed")
    assert bell.text == "A referral of Tom Throwaway by Rita Referrer is held for review."
    assert bell.url == "/admin/inbox/?kind=referral"
