"""A suspended member is signed out, yet still reads why and appeals (issue 11).

Design: a suspension keeps the member signed out of everything (posting, chat, sockets,
every page that needs an account). The one page left to them is their suspension's
notice, reached without an account through a signed link: the email carries it, and the
middleware sends a member who is still signed in there as it signs them out.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import dateformat, timezone

from community import actions
from community.moderation import actions as moderation
from community.moderation.models import Appeal, Penalty
from community.review import source
from tests.factories import make_moderator
from tests.forum.factories import make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspension(member, moderator, personal_attacks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.suspend_member(
            member=member,
            moderator=moderator,
            until=timezone.now() + timedelta(days=3),
            reason="Three insults in one thread.",
            canned_reason=personal_attacks,
        )
    return Penalty.objects.get(member=member, kind=Penalty.Kind.SUSPEND)


def _emailed_link(member) -> str:
    (email,) = [m for m in mail.outbox if m.to == [member.email]]
    url = re.search(r"https?://\S+/penalties/\S+", email.body).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _until(penalty: Penalty) -> str:
    return dateformat.format(timezone.localtime(penalty.ends_at), "j M, H:i")


def test_a_signed_in_suspended_member_lands_on_their_suspension_notice(
    suspension, member, member_client
):
    response = member_client.get("/forum/", follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(f"/penalties/{suspension.pk}/?")
    assert "Your account is suspended" in page
    assert _until(suspension) in page
    assert "Personal attacks" in page and "Three insults in one thread." in page
    assert "Send my appeal" in page
    assert not response.context["user"].is_authenticated


def test_the_emailed_link_opens_the_notice_without_signing_in(suspension, member):
    link = _emailed_link(member)
    page = Client().get(link).content.decode()
    assert "Your account is suspended" in page and "Send my appeal" in page


def test_the_suspended_member_appeals_and_it_lands_in_the_review_inbox(suspension, member):
    client = Client()
    link = _emailed_link(member)

    page = client.post(link, {"text": "It was one heated evening."}, follow=True)

    html = page.content.decode()
    assert "Your appeal is sent" in html and "Send my appeal" not in html
    appeal = Appeal.objects.get(penalty=suspension)
    assert appeal.text == "It was one heated evening."
    assert [item.key for item in source("appeal").pending()] == [str(appeal.pk)]
    # Coming back through the link shows where the appeal stands, and then the reply.
    assert "will read it and reply" in client.get(link).content.decode()
    moderation.decide_appeal(
        appeal=appeal, moderator=make_moderator(), decision="uphold", reply="It stands."
    )
    html = client.get(link).content.decode()
    assert "Upheld" in html and "It stands." in html


def test_a_suspended_member_cannot_post(suspension, member, member_client):
    topic = make_topic(author=suspension.moderator)
    before = topic.posts.count()

    response = member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Let me back in"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"/penalties/{suspension.pk}/?")
    assert topic.posts.count() == before
    # Still signed out for the rest: the reply form asks them to sign in.
    response = member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Let me back in"})
    assert response.status_code in (302, 403)
    assert f"/penalties/{suspension.pk}/" not in response.get("Location", "")
    assert topic.posts.count() == before


def test_nobody_else_reads_the_notice(suspension, member, other_member_client, visitor_client):
    link = _emailed_link(member)
    path = f"/penalties/{suspension.pk}/"
    # Without the signed link: the sign-in page; with a wrong or another penalty's: 404.
    response = visitor_client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert visitor_client.get(f"{path}?token=forged").status_code == 404
    other = Penalty.objects.create(
        member=suspension.moderator,
        kind=Penalty.Kind.SILENCE,
        ends_at=timezone.now() + timedelta(days=1),
    )
    assert visitor_client.get(f"/penalties/{other.pk}/?{link.split('?')[1]}").status_code == 404
    # Another member, signed in, does not read it even with the link.
    assert other_member_client.get(link).status_code == 404
    assert other_member_client.post(link, {"text": "me too"}).status_code == 404
    assert not Appeal.objects.exists()


def test_signing_in_while_suspended_shows_the_suspension_notice(suspension, member):
    member.set_password("a-long-enough-password")
    member.save(update_fields=["password"])
    client = Client()

    response = client.post(
        "/accounts/login/",
        {"login": member.email, "password": "a-long-enough-password"},
        follow=True,
    )

    assert response.redirect_chain[-1][0].startswith(f"/penalties/{suspension.pk}/?")
    page = response.content.decode()
    assert "Your account is suspended" in page
    assert "Three insults in one thread." in page
    assert "_auth_user_id" not in client.session
