"""The forum's sources of the review inbox (community.review).

- Flagged posts: one item per post with open flags, hidden by them or not; deciding it
  calls the forum's own verb (``resolve_flags``), which checks the flags are still open
  under the post's lock, so a decision from a stale page changes nothing.
- Held posts: one item per post a spam signal held (community.forum.spam); approving
  publishes it, rejecting deletes it and tells its author why (``approve_held_post``,
  ``reject_held_post``, which check it is still held under the post's lock).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from community.models import User
from community.moderation.log_formatters import sentence
from community.review import Decision, ReviewItem, ReviewSource, StaleItem, register
from hearth.params import parse_int
from hearth.rules import RuleError

from . import actions
from .actions._common import quoted_title
from .actions.posting import HELD_KIND, approve_held_post, reject_held_post
from .models import Flag, FlagOutcome, FlagReason, Post

HIDE = "hide"
DISMISS = "dismiss"
APPROVE = "approve"
REJECT = "reject"


def _post_id(key: str) -> int | None:
    """The post id in an item's key; None for junk (then the item is not found)."""
    try:
        return parse_int(key, minimum=1)
    except ValueError:
        return None


def _excerpt(post: Post) -> str:
    excerpt = " ".join(post.source.split())
    return excerpt if len(excerpt) <= 280 else excerpt[:279] + "…"


def _flagged_posts():
    return Post.objects.filter(open_flag_count__gt=0, deleted_at__isnull=True)


class FlaggedPosts(ReviewSource):
    kind = "flag"
    label = gettext_lazy("Flagged posts")
    decisions = (
        Decision(HIDE, gettext_lazy("Hide the post"), needs_reason=True),
        Decision(DISMISS, gettext_lazy("Dismiss the flags")),
    )

    def pending(self) -> Iterable[ReviewItem]:
        open_flags = Flag.objects.filter(resolved_at__isnull=True).select_related("flagger")
        posts = _flagged_posts().select_related("topic", "author")
        for post in posts.prefetch_related(Prefetch("flags", open_flags, to_attr="open_flags")):
            flags = post.open_flags
            if not flags:
                continue  # the counter ran ahead of the rows; nothing to decide
            yield self._item(post, flags)

    def count(self) -> int:
        return _flagged_posts().count()

    def _item(self, post: Post, flags: list[Flag]) -> ReviewItem:
        author = post.author.name if post.author else _("a former member")
        reasons = sorted({str(FlagReason(f.reason).label) for f in flags})
        notes = [f"“{f.text}” ({f.flagger.name})" for f in flags if f.text]
        count = ngettext("%(count)d flag", "%(count)d flags", len(flags)) % {"count": len(flags)}
        if post.hidden and post.hidden_by_flags:
            state = _("Hidden by members' flags until you decide.")
        elif post.hidden:
            state = _("Already hidden by a moderator.")
        else:
            state = _("Still visible.")
        details = {_("Flags"): f"{count}: {', '.join(reasons)}", _("State"): state}
        if notes:
            details[_("Flaggers wrote")] = "; ".join(notes)
        return ReviewItem(
            kind=self.kind,
            key=str(post.pk),
            title=_("Post by %(author)s in %(topic)s")
            % {"author": author, "topic": quoted_title(post.topic)},
            summary=_excerpt(post),
            created_at=min(f.created_at for f in flags),
            url=post.topic.post_url(post.number),
            member=post.author,
            details=details,
        )

    def decide(self, *, key: str, decision: str, moderator: User, reason: str = "") -> str:
        if decision not in (HIDE, DISMISS):
            raise RuleError(
                _("Flagged posts can be hidden or their flags dismissed."), code="invalid"
            )
        if decision == HIDE and not reason.strip():
            raise RuleError(_("Give a reason for hiding; the author will see it."), code="reason")
        pk = _post_id(key)
        post = None if pk is None else _flagged_posts().filter(pk=pk).first()
        if post is None:
            raise StaleItem(_("This post was deleted or its flags were reviewed meanwhile."))
        outcome = FlagOutcome.HIDDEN if decision == HIDE else FlagOutcome.DISMISSED
        try:
            closed = actions.resolve_flags(
                post=post, moderator=moderator, outcome=outcome, reason=reason
            )
        except RuleError as error:
            if error.code == "stale":
                raise StaleItem(error.message) from None
            raise
        except PermissionDenied as error:
            raise RuleError(str(error) or _("Only moderators can do that.")) from None
        words = {"count": closed}
        if decision == HIDE:
            return (
                ngettext(
                    "The post is hidden; %(count)d flag closed.",
                    "The post is hidden; %(count)d flags closed.",
                    closed,
                )
                % words
            )
        post.refresh_from_db(fields=["hidden"])
        if post.hidden:
            return (
                ngettext(
                    "%(count)d flag dismissed; a moderator's hiding still stands.",
                    "%(count)d flags dismissed; a moderator's hiding still stands.",
                    closed,
                )
                % words
            )
        return (
            ngettext(
                "%(count)d flag dismissed; the post is visible.",
                "%(count)d flags dismissed; the post is visible.",
                closed,
            )
            % words
        )


def _held_posts():
    return Post.objects.filter(
        held_at__isnull=False, deleted_at__isnull=True, topic__deleted_at__isnull=True
    )


class HeldPosts(ReviewSource):
    kind = HELD_KIND
    label = gettext_lazy("Posts held by spam signals")
    decisions = (
        Decision(APPROVE, gettext_lazy("Approve and publish")),
        Decision(REJECT, gettext_lazy("Reject the post"), needs_reason=True),
    )

    def pending(self) -> Iterable[ReviewItem]:
        for post in _held_posts().select_related("topic", "author").order_by("-held_at"):
            yield self._item(post)

    def count(self) -> int:
        return _held_posts().count()

    def _item(self, post: Post) -> ReviewItem:
        author = post.author.name if post.author else _("a former member")
        words = {"author": author, "topic": quoted_title(post.topic)}
        assert post.held_at is not None  # _held_posts
        return ReviewItem(
            kind=self.kind,
            key=str(post.pk),
            title=(
                _("New topic by %(author)s in %(topic)s") % words
                if post.is_opening
                else _("Reply by %(author)s in %(topic)s") % words
            ),
            summary=_excerpt(post),
            created_at=post.held_at,
            url=post.topic.post_url(post.number),
            member=post.author,
            details={_("Held because"): post.held_reason},
        )

    def decide(self, *, key: str, decision: str, moderator: User, reason: str = "") -> str:
        if decision not in (APPROVE, REJECT):
            raise RuleError(_("Held posts can be approved or rejected."), code="invalid")
        if decision == REJECT and not reason.strip():
            raise RuleError(
                _("Give a reason for rejecting; the author will see it."), code="reason"
            )
        pk = _post_id(key)
        post = None if pk is None else _held_posts().filter(pk=pk).first()
        if post is None:
            raise StaleItem(_("This post was already approved, rejected or deleted meanwhile."))
        try:
            if decision == APPROVE:
                approve_held_post(post=post, moderator=moderator)
                return _("The post is approved and published.")
            reject_held_post(post=post, moderator=moderator, reason=reason)
        except PermissionDenied as error:
            raise RuleError(str(error) or _("Only moderators can do that.")) from None
        return _("The post is rejected; its author was told why.")


class _ApprovedHeldPost(LogFormatter):
    label = gettext_lazy("Approve held post")

    def format_message(self, log_entry) -> str:
        why = (log_entry.data or {}).get("held_reason") or "a spam signal"
        return sentence("Approved {}, held because {}", log_entry.label, why)


class _RejectedHeldPost(LogFormatter):
    label = gettext_lazy("Reject held post")

    def format_message(self, log_entry) -> str:
        why = (log_entry.data or {}).get("reason") or ""
        return sentence("Rejected {} — “{}”", log_entry.label, why)


# Beside the source they belong to (the rest of the forum's are in wagtail_hooks).
@hooks.register("register_log_actions")
def register_held_post_log_actions(actions) -> None:
    actions.register_action("hearth.forum.approve_held_post")(_ApprovedHeldPost)
    actions.register_action("hearth.forum.reject_held_post")(_RejectedHeldPost)


def register_source() -> None:
    register(FlaggedPosts())
    register(HeldPosts())
