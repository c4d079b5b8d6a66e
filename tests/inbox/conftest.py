"""The review inbox: what waits (a flagged post, a held referral) and who works it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.forum import actions as forum
from community.forum.models import Flag, Post
from referrals.models import HoldReason, Referral, Status
from tests.factories import make_member
from tests.forum.factories import make_category, make_reply, make_topic
from tests.referrals.factories import make_referral

INBOX = "/admin/inbox/"


def flagged_post(
    *, flaggers: int = 3, body: str = "Cheap pills at spam.example", when=None
) -> Post:
    """A reply flagged as spam by ``flaggers`` members (three hide it)."""
    author = make_member(display_name="Sam Spam")
    topic = make_topic(author=make_member(), category=make_category(), title="Rye starter tips")
    post = make_reply(topic=topic, author=author, body=body)
    for _ in range(flaggers):
        forum.flag_post(post=post, flagger=make_member(), reason="spam")
    if when is not None:
        Flag.objects.filter(post=post).update(created_at=when)
    post.refresh_from_db()
    return post


def held_referral(*, when=None) -> Referral:
    referral = make_referral(
        referrer=make_member(display_name="Rita Referrer"),
        referee=make_member(display_name="Tom Throwaway"),
        status=Status.HELD,
        hold_reasons=[HoldReason.DISPOSABLE_EMAIL.value],
    )
    if when is not None:
        Referral.objects.filter(pk=referral.pk).update(held_at=when)
        referral.refresh_from_db()
    return referral


def refused_member(response) -> bool:
    """Members never reach the admin: a 403, or the admin's sign-in."""
    return response.status_code == 403 or (
        response.status_code == 302 and "/login/" in response["Location"]
    )


def ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


@pytest.fixture
def other_moderator_client(db):
    from django.test import Client

    from tests.factories import make_moderator

    client = Client()
    client.force_login(make_moderator(username="nina", display_name="Nina"))
    return client
