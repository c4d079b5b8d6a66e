"""Submitting guides into Wagtail's workflow, editors' decisions in the admin, and what
the author (and the rest of the site) hears about them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import WorkflowState

from blog import actions
from blog.actions import GuideError
from blog.models import GuidePage
from blog.review import guide_status
from community.models import Notification
from community.signals import content_published, content_removed
from tests.blog.factories import current_task_state, decide, published_guide, submit, write_guide

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals_sent():
    sent = []

    def published(sender, **kwargs):
        sent.append(
            ("published", kwargs["kind"], kwargs["author"], kwargs["obj"], kwargs["container"])
        )

    def removed(sender, **kwargs):
        sent.append(
            ("removed", kwargs["kind"], kwargs["author"], kwargs["obj"], kwargs["container"])
        )

    content_published.connect(published, dispatch_uid="test-published")
    content_removed.connect(removed, dispatch_uid="test-removed")
    yield sent
    content_published.disconnect(dispatch_uid="test-published")
    content_removed.disconnect(dispatch_uid="test-removed")


def admin_action(client, guide, action: str, comment: str = ""):
    task_state = current_task_state(guide)
    url = reverse("wagtailadmin_pages:workflow_action", args=[guide.pk, action, task_state.pk])
    return client.post(url, {"comment": comment})


def test_it_starts_the_editors_review_when_the_author_submits(member_client, member, editor):
    guide = write_guide(member)
    response = member_client.post(f"/guides/{guide.pk}/submit/")
    assert response.status_code == 302 and response["Location"] == "/guides/mine/"
    state = WorkflowState.objects.get(object_id=str(guide.pk))
    assert state.status == "in_progress" and state.requested_by == member
    assert state.workflow.name == "Editors review"
    assert guide_status(guide).key == "in_review"
    note = Notification.objects.get(recipient=editor, kind="guide.submitted")
    assert note.url == f"/admin/pages/{guide.pk}/edit/"
    # Wagtail emails the Editors group that something awaits review.
    assert any(editor.email in message.to for message in mail.outbox)


def test_it_refuses_to_submit_twice_or_with_nothing_new(member, editor):
    guide = write_guide(member)
    submit(guide)
    with pytest.raises(GuideError, match="already with the editors"):
        actions.submit_guide(guide=guide, author=member)
    decide(guide, editor, "approve")
    with pytest.raises(GuideError, match="no changes to submit"):
        actions.submit_guide(guide=GuidePage.objects.get(pk=guide.pk), author=member)


def test_it_lets_the_author_withdraw_a_guide_from_review(member_client, member):
    guide = write_guide(member)
    submit(guide)
    response = member_client.post(f"/guides/{guide.pk}/withdraw/")
    assert response.status_code == 302
    assert guide_status(guide).key == "draft"
    assert member_client.get(f"/guides/{guide.pk}/edit/").status_code == 200


def test_it_lets_an_editor_request_changes_with_a_comment_in_the_admin(
    editor_client, member, editor, django_capture_on_commit_callbacks
):
    guide = write_guide(member, title="Shaping a boule")
    submit(guide)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_action(
            editor_client, guide, "reject", "Add a photo of the shaping, please."
        )
    assert response.status_code == 302
    status = guide_status(guide)
    assert status.key == "changes_requested"
    assert status.comment == "Add a photo of the shaping, please."
    assert status.reviewer == editor
    [message] = [m for m in mail.outbox if member.email in m.to]
    assert message.subject == "Changes requested on your guide “Shaping a boule”"
    assert "Add a photo of the shaping, please." in message.body
    assert f"/guides/{guide.pk}/edit/" in message.body
    assert "/admin/" not in message.body  # members never get admin links
    assert Notification.objects.filter(recipient=member, kind="guide.changes_requested").exists()


def test_it_resumes_the_same_review_when_the_author_resubmits(member_client, member, editor):
    guide = write_guide(member)
    submit(guide)
    decide(guide, editor, "reject", "Too short.")
    member_client.post(
        f"/guides/{guide.pk}/edit/",
        {
            "title": guide.title,
            "summary": "Longer now.",
            "difficulty": "beginner",
            "body": "Much longer text now.\n\n1. One\n2. Two",
            "action": "submit",
        },
    )
    states = WorkflowState.objects.filter(object_id=str(guide.pk))
    assert states.count() == 1
    assert states.get().status == "in_progress"
    assert current_task_state(guide).revision == GuidePage.objects.get(pk=guide.pk).latest_revision


def test_it_publishes_and_credits_the_author_when_an_editor_approves(
    editor_client, member, editor, visitor_client, signals_sent, django_capture_on_commit_callbacks
):
    guide = write_guide(member, title="Proofing in the fridge")
    submit(guide)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_action(editor_client, guide, "approve", "Lovely, thank you!")
    assert response.status_code == 302
    guide = GuidePage.objects.get(pk=guide.pk)
    assert guide.live
    assert guide_status(guide).key == "published"
    page = visitor_client.get(guide.url).content.decode()
    assert "Proofing in the fridge" in page and member.get_absolute_url() in page
    profile = visitor_client.get(member.get_absolute_url()).content.decode()
    assert "Proofing in the fridge" in profile
    [message] = [m for m in mail.outbox if member.email in m.to]
    assert message.subject == "Your guide “Proofing in the fridge” is published"
    assert guide.full_url.replace("http://localhost", "") in message.body
    assert "Lovely, thank you!" in message.body
    assert Notification.objects.filter(recipient=member, kind="guide.approved").exists()
    assert signals_sent == [("published", "guide", member, guide, None)]  # nothing holds a guide


def test_it_announces_a_guide_once_and_again_only_after_it_was_taken_down(
    member, editor, signals_sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        guide = published_guide(member, editor)
    with django_capture_on_commit_callbacks(execute=True):
        guide.get_latest_revision().publish(user=editor)  # republishing: no new event
    assert [event[0] for event in signals_sent] == ["published"]
    with django_capture_on_commit_callbacks(execute=True):
        guide.unpublish(user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        guide.get_latest_revision().publish(user=editor)
    assert [event[0] for event in signals_sent] == ["published", "removed", "published"]
    with django_capture_on_commit_callbacks(execute=True):
        GuidePage.objects.get(pk=guide.pk).delete()
    assert [event[0] for event in signals_sent] == ["published", "removed", "published", "removed"]
    assert signals_sent[-1][3].pk == guide.pk and signals_sent[-1][4] is None


def test_it_replaces_wagtails_admin_emails_for_guides_but_not_for_other_pages(
    member, editor, django_capture_on_commit_callbacks
):
    guide = write_guide(member)
    submit(guide)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(guide, editor, "reject", "Needs a photo")
    to_member = [m for m in mail.outbox if member.email in m.to]
    assert len(to_member) == 1 and "/admin/" not in to_member[0].body

    from blog.receivers import approval_email_notifier, rejection_email_notifier
    from tests.blog.factories import make_post

    post = make_post(publish=False)
    state = post.get_workflow().start(post, editor)
    assert rejection_email_notifier.can_handle(state) is True
    assert approval_email_notifier.can_handle(state) is True
    guide_state = WorkflowState.objects.get(object_id=str(guide.pk))
    assert rejection_email_notifier.can_handle(guide_state) is False


def test_it_keeps_moderators_and_members_from_deciding(moderator_client, member_client, member):
    guide = write_guide(member)
    submit(guide)
    assert admin_action(moderator_client, guide, "approve").status_code in (302, 403)
    assert admin_action(member_client, guide, "approve").status_code == 403
    assert guide_status(guide).key == "in_review"
    assert not GuidePage.objects.get(pk=guide.pk).live


def test_it_refuses_actions_by_anyone_but_the_author(other_member, member):
    guide = write_guide(member)
    with pytest.raises(GuideError):
        actions.submit_guide(guide=guide, author=other_member)
    submit(guide)
    with pytest.raises(GuideError):
        actions.withdraw_guide(guide=guide, author=other_member)


def test_it_stores_the_body_as_wagtail_would_so_an_unchanged_resave_is_no_edit(member):
    from wagtail.blocks import StreamValue

    guide = write_guide(member)
    stored = [dict(block) for block in guide.get_latest_revision_as_object().body.raw_data]
    [steps] = [block for block in stored if block["type"] == "steps"]
    assert all(item.get("id") for item in steps["value"])
    stream_block = GuidePage._meta.get_field("body").stream_block
    value = stream_block.to_python(stored)
    resaved = stream_block.get_prep_value(
        StreamValue(stream_block, [(child.block_type, child.value, child.id) for child in value])
    )
    assert resaved == stored
