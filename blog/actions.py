"""Verbs about guides: write, submit, withdraw, vote, and what follows an editor's decision.

Views, the demo loader and the workflow signal receivers all call these, so a guide
written on the site and one loaded by the demo go through the same rules.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.blocks import StreamValue
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Collection, Page, PageLogEntry, WorkflowState

from blog.models import RESERVED_GUIDE_SLUGS, GuideIndexPage, GuidePage, GuideVote
from blog.review import guide_status
from community.actions import notify
from community.live import send_signal_after_commit
from community.models import EDITORS_GROUP, User
from community.signals import content_published, content_removed, warm_action, warm_action_undone
from hearth import content_language
from hearth.i18n import for_member
from hearth.mail import queue_email
from hearth.rules import RuleError

if TYPE_CHECKING:
    from wagtail.images.models import AbstractImage

GUIDE_IMAGES_COLLECTION = "Member guide images"
MAX_IMAGES_PER_GUIDE = 20
_PUBLISH_ACTIONS = ("wagtail.publish", "wagtail.publish.scheduled")
_UNPUBLISH_ACTIONS = ("wagtail.unpublish", "wagtail.unpublish.scheduled")


class GuideError(RuleError):
    """A guide rule said no; the message is written for the member."""


@dataclass(frozen=True)
class GuideDraft:
    title: str
    summary: str
    difficulty: str
    body: list[dict]
    tags: list[str] = field(default_factory=list)
    co_authors: list[User] = field(default_factory=list)
    # The language the guide is written in (an offered code); empty: a new guide takes
    # the writer's interface language, an edited one keeps its own.
    language: str = ""


# --- helpers --------------------------------------------------------------------------


def guide_index() -> GuideIndexPage:
    index = GuideIndexPage.objects.live().first()
    if index is None:
        raise GuideError(_("Guides are not open on this site yet. Please try again later."))
    return index


def _guide_images_collection() -> Collection:
    return (
        Collection.objects.filter(name=GUIDE_IMAGES_COLLECTION).first()
        or Collection.get_first_root_node()
    )


def _unique_slug(index: Page, title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:60].strip("-") or "guide"
    if base in RESERVED_GUIDE_SLUGS:
        base = f"{base}-guide"
    taken = set(
        Page.objects.child_of(index)
        .filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def writing_refusal(member: User) -> str | None:
    """Why ``member`` may not write guides right now, or None if they may."""
    if not member.is_authenticated or not member.is_active:
        return _("Sign in to write a guide.")
    if member.is_suspended:
        return _("Your account is suspended.")
    if member.is_silenced:
        assert member.silenced_until is not None  # is_silenced says so
        return _("You cannot post until %(until)s; you can still read everything.") % {
            "until": date_format(member.silenced_until, "d F Y H:i")
        }
    return None


def _check_author(guide: GuidePage, member: User) -> None:
    if guide.author_id != member.pk:
        raise GuideError(_("Only the guide’s author can do that."), code="forbidden")


def _store_image(*, author: User, content: ContentFile, alt: str) -> AbstractImage:
    Image = get_image_model()
    image = Image(
        title=alt[:255] or "Guide image",
        description=alt[:255],
        file=content,
        uploaded_by_user=author,
        collection=_guide_images_collection(),
    )
    image._set_image_file_metadata()
    image.save()
    return image


def _image_count(body: list[dict]) -> int:
    return sum(1 for block in body if block.get("type") == "image")


# --- writing ------------------------------------------------------------------------


@transaction.atomic
def save_guide(
    *,
    author: User,
    draft: GuideDraft,
    guide: GuidePage | None = None,
    image: ContentFile | None = None,
    image_alt: str = "",
    image_caption: str = "",
) -> GuidePage:
    """Create or edit a guide as a draft revision owned by ``author``; never publishes."""
    if reason := writing_refusal(author):
        raise GuideError(reason)
    body = list(draft.body)
    if image is not None:
        if _image_count(body) >= MAX_IMAGES_PER_GUIDE:
            raise GuideError(f"A guide can have at most {MAX_IMAGES_PER_GUIDE} images.")
        stored = _store_image(author=author, content=image, alt=image_alt)
        body.append(
            {
                "type": "image",
                "value": {"image": stored.pk, "alt": image_alt, "caption": image_caption},
            }
        )

    if guide is None:
        index = guide_index()
        page = GuidePage(
            title=draft.title,
            slug=_unique_slug(index, draft.title),
            live=False,
            owner=author,
            author=author,
        )
        _apply(page, draft, body)
        index.add_child(instance=page)
        revision = page.save_revision(user=author, log_action=False)
        log(
            instance=page,
            action="wagtail.create",
            user=author,
            revision=revision,
            content_changed=True,
        )
        return page

    guide = GuidePage.objects.select_for_update().get(pk=guide.pk)
    _check_author(guide, author)
    if not guide_status(guide).can_edit:
        raise GuideError(_("This guide is with the editors. Withdraw it from review to edit it."))
    page = guide.get_latest_revision_as_object()
    if page.first_published_at is None and page.title != draft.title:
        page.slug = _unique_slug(page.get_parent(), draft.title, exclude_pk=page.pk)
    page.title = draft.title
    _apply(page, draft, body)
    if not page.live:
        # A draft's own row follows its latest revision (as in Wagtail's editor); a live
        # guide keeps serving the published version until the editors approve the edit.
        page.save()
    page.save_revision(user=author, log_action=True)
    return page


def _canonical_body(raw: list[dict]) -> list[dict]:
    """The body in Wagtail's own JSON (ids on every block and list item), so that opening
    and saving the guide in the admin, unchanged, does not count as an edit (which would
    make the editors approve it twice)."""
    block = GuidePage._meta.get_field("body").stream_block
    value = block.to_python(raw)
    return block.get_prep_value(
        StreamValue(block, [(child.block_type, child.value, child.id) for child in value])
    )


def _apply(page: GuidePage, draft: GuideDraft, body: list[dict]) -> None:
    page.draft_title = draft.title
    page.summary = draft.summary
    page.difficulty = draft.difficulty
    chosen = content_language.valid(draft.language)
    if chosen:
        page.language = chosen
    elif page.pk is None:
        page.language = content_language.current()
    page.body = _canonical_body(body)
    page.tags.set(draft.tags)
    page.co_authors.set([member for member in draft.co_authors if member.pk != page.author_id])


# --- review -------------------------------------------------------------------------


@transaction.atomic
def submit_guide(*, guide: GuidePage, author: User) -> WorkflowState:
    """Send the latest draft to the editors (Wagtail's moderation workflow)."""
    if reason := writing_refusal(author):
        raise GuideError(reason)
    guide = GuidePage.objects.select_for_update().get(pk=guide.pk)
    _check_author(guide, author)
    status = guide_status(guide)
    if not status.can_submit:
        if status.key == "in_review":
            raise GuideError(_("This guide is already with the editors."))
        raise GuideError(_("There are no changes to submit: the published guide is up to date."))
    state = guide.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=author)
        state.refresh_from_db()
    else:
        workflow = guide.get_workflow()
        if workflow is None:
            raise GuideError(_("Guide reviews are not set up on this site yet. Please try later."))
        state = workflow.start(guide, author)
    _notify_editors_of_submission(guide=guide, author=author)
    return state


def _notify_editors_of_submission(*, guide: GuidePage, author: User) -> None:
    url = reverse("wagtailadmin_pages:edit", args=[guide.pk])
    editors = User.objects.in_good_standing().filter(
        Q(groups__name=EDITORS_GROUP) | Q(is_superuser=True)
    )
    for editor in editors.distinct():
        with for_member(editor):
            text = _("%(name)s sent the guide “%(title)s” for review.") % {
                "name": author.name,
                "title": guide.draft_title,
            }
        notify(recipient=editor, kind="guide.submitted", text=text, url=url, actor=author)


@transaction.atomic
def withdraw_guide(*, guide: GuidePage, author: User) -> None:
    """Take a guide back from review (it becomes a draft again)."""
    guide = GuidePage.objects.select_for_update().get(pk=guide.pk)
    _check_author(guide, author)
    state = guide.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS:
        raise GuideError(_("This guide is not waiting for review."))
    state.cancel(user=author)


# --- helpful votes ------------------------------------------------------------------


@transaction.atomic
def toggle_helpful(*, guide: GuidePage, member: User) -> bool:
    """Mark ``guide`` helpful for ``member``, or take the mark back. Returns the new state."""
    if not guide.live:
        raise GuideError(_("Only published guides can be marked helpful."))
    if guide.is_credited(member):
        raise GuideError(_("You cannot mark your own guide as helpful."))
    deleted, _rows = GuideVote.objects.filter(guide=guide, member=member).delete()
    if deleted:
        _tell_hub_of_vote(guide=guide, voter=member, on=False)
        return False
    try:
        with transaction.atomic():
            GuideVote.objects.create(guide=guide, member=member)
    except IntegrityError:
        pass  # a second click raced the first: the vote exists, which is what was asked
    else:
        _tell_hub_of_vote(guide=guide, voter=member, on=True)
    return True


def _tell_hub_of_vote(*, guide: GuidePage, voter: User, on: bool) -> None:
    """The guide's author is recognised for a helpful vote (the voter is the actor);
    taking the vote back takes that back. Once per voter and guide: voting again after
    withdrawing earns nothing new."""
    if guide.author is None:
        return
    key = f"blog.guidepage:{guide.pk}:{voter.pk}"
    if on:
        send_signal_after_commit(
            warm_action,
            sender=GuideVote,
            member=guide.author,
            action="helpful_vote",
            key=key,
            reason=f"{voter.name} found your guide “{guide.title}” helpful",
            actor=voter,
        )
    else:
        send_signal_after_commit(
            warm_action_undone,
            sender=GuideVote,
            member=guide.author,
            action="helpful_vote",
            key=key,
            reason=f"{voter.name} took back their helpful vote on “{guide.title}”",
        )


# --- what follows publishing and decisions ---------------------------------------------


def _was_visible_before(guide: GuidePage) -> bool:
    """True if the guide was already public before this publish (Wagtail's audit log is
    written after the signal, so the latest entry is the previous change of visibility)."""
    last = (
        PageLogEntry.objects.filter(
            page_id=guide.pk, action__in=(*_PUBLISH_ACTIONS, *_UNPUBLISH_ACTIONS)
        )
        .order_by("-timestamp", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return last in _PUBLISH_ACTIONS


def announce_published(*, guide: GuidePage) -> None:
    """Tell the rest of the site (the referral hub) when a guide becomes public. A guide
    stands on its own: nothing holds it (``container`` None)."""
    if not guide.live or _was_visible_before(guide):
        return
    send_signal_after_commit(
        content_published,
        sender=GuidePage,
        author=guide.author,
        obj=guide,
        kind="guide",
        container=None,
    )


def announce_removed(*, guide: GuidePage) -> None:
    send_signal_after_commit(
        content_removed,
        sender=GuidePage,
        author=guide.author,
        obj=copy.copy(guide),  # deletion clears the instance's pk; keep the identity
        kind="guide",
        container=None,
    )


def _email_author(*, author: User, template: str, context: dict) -> None:
    if not author.email:
        return
    context = {**context, "author": author, "SITE_NAME": settings.SITE_NAME}
    with for_member(author):
        subject = " ".join(render_to_string(f"blog/emails/{template}_subject.txt", context).split())
        body = render_to_string(f"blog/emails/{template}.txt", context)
    queue_email(subject=subject, body=body, to=[author.email])


def guide_approved(*, guide: GuidePage, editor: User | None, comment: str = "") -> None:
    """An editor approved the guide in the Wagtail admin: it is published."""
    author = guide.author
    if author is None or (editor is not None and editor.pk == author.pk):
        return
    guide = GuidePage.objects.get(pk=guide.pk)
    url = guide.get_url() or ""
    with for_member(author):
        text = _("Your guide “%(title)s” is published.") % {"title": guide.title}
    notify(
        recipient=author,
        kind="guide.approved",
        text=text,
        url=url,
        actor=editor,
    )
    _email_author(
        author=author,
        template="guide_approved",
        context={
            "guide": guide,
            "editor": editor,
            "comment": comment,
            "guide_url": settings.BASE_URL + url,
            "profile_url": settings.BASE_URL + author.get_absolute_url(),
        },
    )


def guide_changes_requested(*, guide: GuidePage, editor: User | None, comment: str) -> None:
    """An editor asked for changes in the Wagtail admin."""
    author = guide.author
    if author is None or (editor is not None and editor.pk == author.pk):
        return
    edit_url = reverse("blog:guide-edit", args=[guide.pk])
    with for_member(author):
        text = _("An editor asked for changes to “%(title)s”.") % {"title": guide.draft_title}
    notify(
        recipient=author,
        kind="guide.changes_requested",
        text=text,
        url=reverse("blog:my-guides"),
        actor=editor,
    )
    _email_author(
        author=author,
        template="guide_changes_requested",
        context={
            "guide": guide,
            "editor": editor,
            "comment": comment,
            "edit_url": settings.BASE_URL + edit_url,
            "mine_url": settings.BASE_URL + reverse("blog:my-guides"),
        },
    )
