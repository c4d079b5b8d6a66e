"""Members flag posts; three flags hide a post until a moderator reviews them."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from community.actions import notify
from community.models import User
from community.moderation.models import CannedReason
from community.review import announce
from hearth.text import clean_line

from ..models import Flag, FlagOutcome, FlagReason, Post
from ._common import after_post_hidden, lock_post, publish, quoted_title, refresh, require_moderator
from .moderation import close_hidden_post, record_hidden_post
from .rules import PostingError, checked_reason

FLAGS_TO_HIDE = 3
FLAG_TEXT_MAX = 500


@transaction.atomic
def flag_post(*, post: Post, flagger: User, reason: str, text: str = "") -> Flag:
    if reason not in FlagReason.values:
        raise PostingError(_("Choose why you are flagging this post."), code="flag_reason")
    text = clean_line(text)[:FLAG_TEXT_MAX]
    if reason == FlagReason.OTHER and not text:
        raise PostingError(_("Say in a few words what is wrong with this post."), code="flag_text")
    post = lock_post(post)
    if post.author_id == flagger.pk:
        raise PostingError(
            _("You cannot flag your own post; edit or delete it instead."), code="own_post"
        )
    if post.deleted_at is not None:
        raise PostingError(_("This post has been deleted."), code="unavailable")
    try:
        with transaction.atomic():
            flag = Flag.objects.create(post=post, flagger=flagger, reason=reason, text=text)
    except IntegrityError:
        raise PostingError(
            _("You have already flagged this post; moderators will look at it."), code="flagged"
        ) from None
    open_flags = Flag.objects.filter(post=post, resolved_at__isnull=True)
    post.open_flag_count = open_flags.count()
    post.save(update_fields=["open_flag_count"])
    if not post.hidden and open_flags.values("flagger").distinct().count() >= FLAGS_TO_HIDE:
        post.hide(
            by=None,
            reason=f"Hidden after flags from {FLAGS_TO_HIDE} members, until a moderator "
            "reviews it.",
        )
        after_post_hidden(post)
        if post.author is not None:
            notify(
                recipient=post.author,
                kind="forum_hidden",
                text=lambda: (
                    _(
                        "Your post in %(topic)s was hidden after members flagged it; "
                        "a moderator will review it."
                    )
                    % {"topic": quoted_title(post.topic)}
                ),
                url=post.topic.post_url(post.number),
            )
        announce(
            kind="flag",
            key=str(post.pk),
            text=lambda: (
                _("A post in %(topic)s was hidden by members' flags and waits for review.")
                % {"topic": quoted_title(post.topic)}
            ),
        )
    return flag


@transaction.atomic
def resolve_flags(
    *,
    post: Post,
    moderator: User,
    outcome: str,
    reason: str = "",
    canned_reason: CannedReason | None = None,
) -> int:
    """Close a post's open flags: "hidden" keeps it hidden, "dismissed" restores it.

    ``reason`` (hiding only) is the moderator's own words, which the author is told: with
    it, hiding is an appealable "hidden post" penalty (see .moderation).
    Flags another moderator closed meanwhile are a "stale" error and nothing changes:
    a page drawn before someone else's decision must not hide a post they restored.
    """
    require_moderator(moderator)
    if outcome not in (FlagOutcome.HIDDEN, FlagOutcome.DISMISSED):
        raise PostingError(_("Choose “hide” or “dismiss”."), code="flag_outcome")
    if reason:
        reason = checked_reason(reason)
    post = lock_post(post)
    open_flags = Flag.objects.filter(post=post, resolved_at__isnull=True)
    reasons = sorted(set(open_flags.values_list("reason", flat=True)))
    if not reasons:
        raise PostingError(
            _("Those flags were already reviewed by another moderator; nothing was changed."),
            code="stale",
        )
    closed = open_flags.update(outcome=outcome, resolved_at=timezone.now(), resolved_by=moderator)
    post.open_flag_count = 0
    post.save(update_fields=["open_flag_count"])
    if outcome == FlagOutcome.HIDDEN:
        was_hidden = post.hidden
        labels = ", ".join(FlagReason(r).label.lower() for r in reasons) or "flags"
        post.hide(by=moderator, reason=reason or f"Hidden by a moderator after review ({labels}).")
        if not was_hidden:
            after_post_hidden(post)
        if reason:
            record_hidden_post(
                post, moderator=moderator, reason=reason, canned_reason=canned_reason
            )
    elif post.hidden and post.hidden_by_flags:
        # Only the flags hid it: dismissing them restores it.
        post.unhide()
        refresh(post.topic)
        if post.topic.is_visible:
            publish(post)
        close_hidden_post(post, moderator=moderator, reason="Flags dismissed; post restored.")
        if post.author is not None:
            notify(
                recipient=post.author,
                kind="forum_restored",
                text=lambda: (
                    _(
                        "A moderator reviewed the flags on your post in %(topic)s: "
                        "it is visible again."
                    )
                    % {"topic": quoted_title(post.topic)}
                ),
                url=post.topic.post_url(post.number),
                actor=moderator,
            )
    log(
        instance=post,
        action=f"hearth.forum.flags_{outcome}",
        user=moderator,
        data={"topic": post.topic_id, "number": post.number, "flags": closed, "reasons": reasons},
    )
    return closed
