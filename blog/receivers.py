"""Wagtail signals about guides, turned into Hearth events (connected in BlogConfig.ready).

- publishing / unpublishing a guide -> community.signals (the referral hub); Wagtail
  unpublishes a page before deleting it, so deletion is covered too;
- an editor's decision in the workflow -> the author's bell and a member-friendly email.

Wagtail's own approval and rejection emails link to the admin, which members cannot
open; for guides they are replaced by ours (other pages keep Wagtail's). The workflow
emails Wagtail still sends (to editors when something is submitted, to submitters of
other pages) go through the task queue like every other email, not from the request.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils.translation import override
from wagtail.admin.mail import (
    GroupApprovalTaskStateSubmissionEmailNotifier,
    Notifier,
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
    WorkflowStateSubmissionEmailNotifier,
)
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import (
    page_published,
    page_unpublished,
    task_submitted,
    workflow_approved,
    workflow_rejected,
    workflow_submitted,
)

from blog import actions
from blog.models import GuidePage
from community.models import User
from hearth.mail import queue_email


def _guide_for(state: WorkflowState) -> GuidePage | None:
    if state.content_type_id != ContentType.objects.get_for_model(GuidePage).pk:
        return None
    return GuidePage.objects.filter(pk=state.object_id).select_related("author").first()


def _decision(state: WorkflowState) -> tuple[str, User | None]:
    task_state = state.current_task_state
    if task_state is None:
        return "", None
    task_state = task_state.specific
    return (task_state.get_comment() or "").strip(), task_state.finished_by


def on_guide_published(sender, instance: GuidePage, **kwargs) -> None:
    actions.announce_published(guide=instance)


def on_guide_unpublished(sender, instance: GuidePage, **kwargs) -> None:
    actions.announce_removed(guide=instance)


def on_workflow_approved(sender, instance: WorkflowState, user=None, **kwargs) -> None:
    guide = _guide_for(instance)
    if guide is not None:
        comment, finished_by = _decision(instance)
        actions.guide_approved(guide=guide, editor=user or finished_by, comment=comment)


def on_workflow_rejected(sender, instance: WorkflowState, user=None, **kwargs) -> None:
    guide = _guide_for(instance)
    if guide is not None:
        comment, finished_by = _decision(instance)
        actions.guide_changes_requested(guide=guide, editor=user or finished_by, comment=comment)


class _NotForGuides(Notifier):
    def can_handle(self, instance, **kwargs) -> bool:
        return super().can_handle(instance, **kwargs) and _guide_for(instance) is None


class _Queued:
    """Wagtail's EmailNotificationMixin.send_emails, rendering the same templates, with
    each message handed to the task queue instead of an SMTP connection opened here."""

    def send_emails(self, template_set: dict, context: dict, recipients, **kwargs) -> bool:
        from_email = getattr(settings, "WAGTAILADMIN_NOTIFICATION_FROM_EMAIL", None)
        use_html = getattr(settings, "WAGTAILADMIN_NOTIFICATION_USE_HTML", False)
        for recipient in recipients:
            context["user"] = recipient
            with override(recipient.wagtail_userprofile.get_preferred_language()):
                subject = render_to_string(template_set["subject"], context).strip()
                body = render_to_string(template_set["text"], context).strip()
            queue_email(
                subject=subject,
                body=body,
                to=[recipient.email],
                from_email=from_email,
                html=render_to_string(template_set["html"], context) if use_html else None,
                headers={"Auto-Submitted": "auto-generated"},
                after_commit=False,
            )
        return True


class TaskSubmissionEmailNotifier(_Queued, GroupApprovalTaskStateSubmissionEmailNotifier):
    pass


class SubmissionEmailNotifier(_Queued, WorkflowStateSubmissionEmailNotifier):
    pass


class ApprovalEmailNotifier(_Queued, _NotForGuides, WorkflowStateApprovalEmailNotifier):
    pass


class RejectionEmailNotifier(_Queued, _NotForGuides, WorkflowStateRejectionEmailNotifier):
    pass


task_submission_email_notifier = TaskSubmissionEmailNotifier()
submission_email_notifier = SubmissionEmailNotifier()
approval_email_notifier = ApprovalEmailNotifier()
rejection_email_notifier = RejectionEmailNotifier()


def connect() -> None:
    page_published.connect(on_guide_published, sender=GuidePage, dispatch_uid="blog.published")
    page_unpublished.connect(
        on_guide_unpublished, sender=GuidePage, dispatch_uid="blog.unpublished"
    )
    workflow_approved.connect(
        on_workflow_approved, sender=WorkflowState, dispatch_uid="blog.workflow_approved"
    )
    workflow_rejected.connect(
        on_workflow_rejected, sender=WorkflowState, dispatch_uid="blog.workflow_rejected"
    )
    # Take over Wagtail's receivers by their dispatch_uid: whichever app is ready first,
    # the other connect() with the same uid is ignored, so exactly one of each runs.
    for signal, sender, uid, notifier in (
        (
            task_submitted,
            TaskState,
            "group_approval_task_submitted_email_notification",
            task_submission_email_notifier,
        ),
        (
            workflow_submitted,
            WorkflowState,
            "workflow_state_submitted_email_notification",
            submission_email_notifier,
        ),
        (
            workflow_approved,
            WorkflowState,
            "workflow_state_approved_email_notification",
            approval_email_notifier,
        ),
        (
            workflow_rejected,
            WorkflowState,
            "workflow_state_rejected_email_notification",
            rejection_email_notifier,
        ),
    ):
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(notifier, sender=sender, dispatch_uid=uid)
