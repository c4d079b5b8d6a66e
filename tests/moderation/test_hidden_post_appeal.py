"""A moderator hides a post with a reason: its author is told which post and why, may
appeal once, and another moderator's "lift" restores the post (the forum's enforcer)."""

from __future__ import annotations

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry

from community.forum import actions as forum
from community.forum.models import FlagOutcome, Post
from community.inbox import actions as inbox
from community.models import Notification
from community.moderation import actions
from community.moderation.actions import PenaltyError
from community.moderation.models import Appeal, Penalty
from community.review import StaleItem
from tests.conftest import _client_for
from tests.factories import make_member, make_moderator
from tests.forum.factories import make_category, make_reply, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_moderator(db):
    return make_moderator(username="nina_mod", display_name="Nina Moderator")


@pytest.fixture
def post(member) -> Post:
    topic = make_topic(author=make_member(), category=make_category(), title="Rye starter tips")
    return make_reply(topic=topic, author=member, body="Cheap pills at spam.example")


@pytest.fixture
def hide(post, moderator, django_capture_on_commit_callbacks):
    """The moderator hides ``post`` from the forum's own action; return its penalty."""

    def give(reason: str = "Advertising is not allowed here.") -> Penalty:
        with django_capture_on_commit_callbacks(execute=True):
            forum.hide_post(post=post, moderator=moderator, reason=reason)
        return Penalty.objects.get(kind=Penalty.Kind.HIDDEN_POST, scope=f"forum.post:{post.pk}")

    return give


def _appeal(client, penalty, text="It was a recipe link, not an advert."):
    return client.post(f"/penalties/{penalty.pk}/", {"text": text}, follow=True)


def test_hiding_a_post_tells_its_author_which_post_and_why_without_a_banner(
    hide, post, member, moderator, member_client
):
    penalty = hide()
    assert penalty.member == member and penalty.moderator == moderator
    assert penalty.reason == "Advertising is not allowed here."
    assert penalty.is_active and penalty.open_ended
    note = Notification.objects.get(recipient=member, kind="penalty")
    assert note.text == (
        "A moderator hid your post in “Rye starter tips”: Advertising is not allowed here."
    )
    assert note.url == penalty.get_absolute_url()
    assert not Notification.objects.filter(recipient=member, kind="forum_hidden").exists()
    (email,) = mail.outbox
    assert email.to == [member.email]
    assert "hidden your post in “Rye starter tips”" in email.body
    assert "Advertising is not allowed here." in email.body
    assert post.topic.post_url(post.number) in email.body  # which post
    assert f"/penalties/{penalty.pk}/" in email.body  # the appeal link
    # About one post, not the member's standing: no banner, forms stay.
    page = member_client.get(post.topic.get_absolute_url()).content.decode()
    assert "penalty-banner" not in page
    page = member_client.get(penalty.get_absolute_url()).content.decode()
    assert "A moderator hid" in page and "Advertising is not allowed here." in page
    assert "Send my appeal" in page and "3000" not in page  # no end date shown


def test_hiding_from_the_inbox_records_the_same_penalty(post, member, moderator):
    forum.flag_post(post=post, flagger=make_member(), reason="spam")
    inbox.decide_item(
        ref=f"flag:{post.pk}", decision="hide", moderator=moderator, reason="Advertising"
    )
    penalty = Penalty.objects.get(member=member, kind=Penalty.Kind.HIDDEN_POST)
    assert penalty.scope == f"forum.post:{post.pk}" and penalty.reason == "Advertising"
    assert penalty.scope_url == post.topic.post_url(post.number)


def test_the_author_appeals_once_and_the_hiding_moderator_cannot_decide(
    hide, member, moderator, member_client, moderator_client
):
    penalty = hide()
    assert "Your appeal is sent" in _appeal(member_client, penalty).content.decode()
    page = _appeal(member_client, penalty, "again").content.decode()
    assert "You have already appealed this penalty." in page
    appeal = Appeal.objects.get(penalty=penalty)
    with pytest.raises(PenaltyError, match="another moderator decides"):
        actions.decide_appeal(appeal=appeal, moderator=moderator, decision="lift", reply="ok")
    page = moderator_client.get(f"/admin/moderation/appeals/{appeal.pk}/").content.decode()
    assert "You gave this penalty" in page


def test_another_moderator_lifts_it_and_the_post_is_back(
    hide, post, member, member_client, other_moderator, django_capture_on_commit_callbacks
):
    penalty = hide()
    _appeal(member_client, penalty)
    appeal = Appeal.objects.get(penalty=penalty)
    client = _client_for(other_moderator)
    page = client.get(f"/admin/moderation/appeals/{appeal.pk}/").content.decode()
    assert "Lift: restore the post" in page and 'value="shorten"' not in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/moderation/appeals/{appeal.pk}/",
            {"decision": "lift", "reply": "It was a recipe link; restored."},
        )
    assert response.status_code == 302
    post.refresh_from_db()
    penalty.refresh_from_db()
    assert not post.hidden
    assert penalty.lifted_by == other_moderator
    restored = ModelLogEntry.objects.get(action="hearth.forum.unhide_post")
    assert restored.user_id == other_moderator.pk
    assert "restored" in restored.data["reason"]
    note = Notification.objects.get(recipient=member, kind="appeal_decided")
    assert note.text == "Your appeal was accepted: your post in “Rye starter tips” is visible again"
    assert not Notification.objects.filter(recipient=member, kind="penalty_lifted").exists()
    (email,) = mail.outbox
    assert "is restored" in email.body and "It was a recipe link; restored." in email.body
    page = member_client.get(penalty.get_absolute_url()).content.decode()
    assert "It was a recipe link; restored." in page


def test_lifting_from_the_inbox_restores_the_post_too(hide, post, member, other_moderator):
    penalty = hide()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    message = inbox.decide_item(
        ref=f"appeal:{appeal.pk}", decision="lift", moderator=other_moderator, reason="Fair."
    )
    assert "lifted" in message
    post.refresh_from_db()
    assert not post.hidden


def test_uphold_keeps_it_hidden_and_shorten_is_refused(hide, post, member, other_moderator):
    penalty = hide()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    with pytest.raises(PenaltyError, match="uphold or lift"):
        actions.decide_appeal(
            appeal=appeal, moderator=other_moderator, decision="shorten", reply="Shorter."
        )
    actions.decide_appeal(
        appeal=appeal, moderator=other_moderator, decision="uphold", reply="It was an advert."
    )
    post.refresh_from_db()
    penalty.refresh_from_db()
    assert post.hidden and penalty.is_active
    note = Notification.objects.get(recipient=member, kind="appeal_decided")
    assert note.text == "Your appeal was read: your post in “Rye starter tips” stays hidden"


def test_nobody_else_can_open_the_penalty_page(hide, other_member_client, visitor_client):
    penalty = hide()
    assert other_member_client.get(penalty.get_absolute_url()).status_code == 404
    assert _appeal(other_member_client, penalty).status_code == 404
    response = visitor_client.get(penalty.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Appeal.objects.exists()


def test_restoring_the_post_in_the_forum_closes_the_penalty_and_a_stale_appeal(
    hide, post, member, moderator, other_moderator, django_capture_on_commit_callbacks
):
    penalty = hide()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    with django_capture_on_commit_callbacks(execute=True):
        forum.unhide_post(post=post, moderator=moderator)
    penalty.refresh_from_db()
    appeal.refresh_from_db()
    assert penalty.lifted_at is not None and penalty.lifted_by == moderator
    assert appeal.is_decided and appeal.decision == "lift"  # left the inbox
    note = Notification.objects.get(recipient=member, kind="penalty_lifted")
    assert note.text == "A moderator restored your post in “Rye starter tips”: it is visible again"
    # A page drawn before that: told, nothing changes (no second restore, no second notice).
    with pytest.raises(StaleItem):
        actions.decide_appeal(
            appeal=appeal, moderator=other_moderator, decision="uphold", reply="Stays."
        )
    post.refresh_from_db()
    assert not post.hidden
    assert ModelLogEntry.objects.filter(action="hearth.forum.unhide_post").count() == 1
    assert not Notification.objects.filter(recipient=member, kind="appeal_decided").exists()


def test_appealing_after_the_post_was_restored_is_told_and_changes_nothing(
    hide, post, member, moderator, member_client
):
    penalty = hide()
    forum.unhide_post(post=post, moderator=moderator)
    page = _appeal(member_client, penalty).content.decode()
    assert "nothing left to appeal" in page or "can no longer be appealed" in page
    assert not Appeal.objects.exists()


def test_a_stale_appeal_against_a_replaced_hiding_changes_nothing(
    hide, post, member, other_moderator
):
    penalty = hide()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    Penalty.objects.filter(pk=penalty.pk).update(lifted_at=penalty.starts_at)
    with pytest.raises(StaleItem, match="already restored"):
        actions.decide_appeal(appeal=appeal, moderator=other_moderator, decision="lift", reply="ok")
    post.refresh_from_db()
    assert post.hidden


def test_dismissing_flags_does_not_lift_a_moderators_hiding(hide, post, member, other_moderator):
    forum.flag_post(post=post, flagger=make_member(), reason="spam")
    penalty = hide()
    forum.resolve_flags(post=post, moderator=other_moderator, outcome=FlagOutcome.DISMISSED)
    post.refresh_from_db()
    penalty.refresh_from_db()
    assert post.hidden and penalty.is_active


def test_hiding_it_again_from_new_flags_keeps_one_penalty_and_its_appeal(
    hide, post, member, other_moderator
):
    penalty = hide()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    forum.flag_post(post=post, flagger=make_member(), reason="rude")
    forum.resolve_flags(
        post=post, moderator=other_moderator, outcome=FlagOutcome.HIDDEN, reason="Still rude."
    )
    assert Penalty.objects.filter(kind=Penalty.Kind.HIDDEN_POST).count() == 1
    actions.decide_appeal(appeal=appeal, moderator=other_moderator, decision="lift", reply="ok")
    post.refresh_from_db()
    assert not post.hidden


def test_the_audit_log_reads_the_appeal_in_words(hide, member, other_moderator, moderator_client):
    import html

    penalty = hide()
    appeal = actions.appeal(penalty=penalty, member=member, text="please")
    actions.decide_appeal(appeal=appeal, moderator=other_moderator, decision="uphold", reply="No.")
    page = html.unescape(moderator_client.get("/admin/reports/site-history/").content.decode())
    assert "appealed against the hiding of their post in “Rye starter tips”" in page
    assert "against the hiding of their post in “Rye starter tips” and upheld it — reply" in page
    assert "3000" not in page
