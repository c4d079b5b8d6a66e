"""Where a member's guide stands in Wagtail's moderation workflow, in the member's words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy
from wagtail.models import Page, WorkflowState

from blog.models import GuidePage
from community.models import User

DRAFT = "draft"
IN_REVIEW = "in_review"
CHANGES_REQUESTED = "changes_requested"
PUBLISHED = "published"
PUBLISHED_WITH_EDITS = "published_with_edits"

LABELS = {
    DRAFT: gettext_lazy("Draft"),
    IN_REVIEW: gettext_lazy("In review"),
    CHANGES_REQUESTED: gettext_lazy("Changes requested"),
    PUBLISHED: gettext_lazy("Published"),
    PUBLISHED_WITH_EDITS: gettext_lazy("Published, with edits not yet submitted"),
}


@dataclass(frozen=True)
class GuideStatus:
    key: str
    comment: str = ""
    reviewer: User | None = None
    decided_at: datetime | None = None

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def can_edit(self) -> bool:
        # While editors review a guide it stays as submitted: what they approve is what
        # goes live. The author withdraws it to change it.
        return self.key != IN_REVIEW

    @property
    def can_submit(self) -> bool:
        return self.key in (DRAFT, CHANGES_REQUESTED, PUBLISHED_WITH_EDITS)

    @property
    def can_withdraw(self) -> bool:
        return self.key == IN_REVIEW


def _latest_workflow_states(guides: Iterable[GuidePage]) -> dict[int, WorkflowState]:
    ids = [str(guide.pk) for guide in guides]
    if not ids:
        return {}
    states = (
        WorkflowState.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page), object_id__in=ids
        )
        .select_related("current_task_state__finished_by")
        .order_by("created_at", "pk")
    )
    return {int(state.object_id): state for state in states}


def _status(guide: GuidePage, state: WorkflowState | None) -> GuideStatus:
    task_state = state.current_task_state if state else None
    comment = (task_state.comment or "") if task_state else ""
    reviewer = task_state.finished_by if task_state else None
    decided_at = task_state.finished_at if task_state else None
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        return GuideStatus(IN_REVIEW)
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        return GuideStatus(CHANGES_REQUESTED, comment, reviewer, decided_at)
    approved = state is not None and state.status == WorkflowState.STATUS_APPROVED
    if guide.live:
        key = PUBLISHED_WITH_EDITS if guide.has_unpublished_changes else PUBLISHED
        if approved:
            return GuideStatus(key, comment, reviewer, decided_at)
        return GuideStatus(key)
    return GuideStatus(DRAFT)


def guide_statuses(guides: Iterable[GuidePage]) -> dict[int, GuideStatus]:
    """Statuses for many guides in one query."""
    guides = list(guides)
    states = _latest_workflow_states(guides)
    return {guide.pk: _status(guide, states.get(guide.pk)) for guide in guides}


def guide_status(guide: GuidePage) -> GuideStatus:
    return guide_statuses([guide])[guide.pk]
