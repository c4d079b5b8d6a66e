"""Flagged posts as a source of the review inbox (community.review).

One item per post with open flags, hidden by them or not; deciding it calls the forum's
own verb (``resolve_flags``), which checks the flags are still open under the post's
lock, so a decision from a stale page changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import ngettext

from community.models import User
from community.review import Decision, ReviewItem, ReviewSource, StaleItem, register
from hearth.rules import RuleError

from . import actions
from .actions._common import quoted_title
from .models import Flag, FlagOutcome, FlagReason, Post

HIDE = "hide"
DISMISS = "dismiss"


def _flagged_posts():
    return Post.objects.filter(open_flag_count__gt=0, deleted_at__isnull=True)


class FlaggedPosts(ReviewSource):
    kind = "flag"
    label = "Flagged posts"
    decisions = (
        Decision(HIDE, "Hide the post", needs_reason=True),
        Decision(DISMISS, "Dismiss the flags"),
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
        author = post.author.name if post.author else "a former member"
        reasons = sorted({FlagReason(f.reason).label for f in flags})
        notes = [f"“{f.text}” ({f.flagger.name})" for f in flags if f.text]
        count = ngettext("%(count)d flag", "%(count)d flags", len(flags)) % {"count": len(flags)}
        if post.hidden and post.hidden_by_flags:
            state = "Hidden by members' flags until you decide."
        elif post.hidden:
            state = "Already hidden by a moderator."
        else:
            state = "Still visible."
        details = {"Flags": f"{count}: {', '.join(reasons)}", "State": state}
        if notes:
            details["Flaggers wrote"] = "; ".join(notes)
        excerpt = " ".join(post.source.split())
        return ReviewItem(
            kind=self.kind,
            key=str(post.pk),
            title=f"Post by {author} in {quoted_title(post.topic)}",
            summary=excerpt if len(excerpt) <= 280 else excerpt[:279] + "…",
            created_at=min(f.created_at for f in flags),
            url=post.topic.post_url(post.number),
            member=post.author,
            details=details,
        )

    def decide(self, *, key: str, decision: str, moderator: User, reason: str = "") -> str:
        if decision not in (HIDE, DISMISS):
            raise RuleError("Flagged posts can be hidden or their flags dismissed.", code="invalid")
        if decision == HIDE and not reason.strip():
            raise RuleError("Give a reason for hiding; the author will see it.", code="reason")
        post = _flagged_posts().filter(pk=int(key) if key.isdigit() else 0).first()
        if post is None:
            raise StaleItem("This post was deleted or its flags were reviewed meanwhile.")
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
            raise RuleError(str(error) or "Only moderators can do that.") from None
        flags = ngettext("%(count)d flag", "%(count)d flags", closed) % {"count": closed}
        if decision == HIDE:
            return f"The post is hidden; {flags} closed."
        post.refresh_from_db(fields=["hidden"])
        if post.hidden:
            return f"{flags.capitalize()} dismissed; a moderator's hiding still stands."
        return f"{flags.capitalize()} dismissed; the post is visible."


def register_source() -> None:
    register(FlaggedPosts())
