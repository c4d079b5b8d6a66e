"""The posting rules: who may post, how fast, how much, and what a post may hold.

Each rule says no with a :class:`PostingError` (a ``hearth.rules.RuleError``) whose
sentence the member can act on and, where it can, says when to try again. Text is
cleaned by ``hearth.text`` (the one cleaner for the forum, chat and guides) before the
forum's limits are applied.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Sized
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community import trust
from community.models import User
from hearth.forms import too_long_message
from hearth.rules import RuleError
from hearth.text import clean_line, clean_text

from ..markup import RenderedPost, render_post
from ..models import Post, Topic, TopicTag

MAX_POST_CHARS = 20_000
MAX_MENTIONS = 5
MAX_TAGS = 5
MAX_IMAGES = 4
TITLE_MIN = 5
TITLE_MAX = 150
REASON_MAX = 300
POST_INTERVAL_SECONDS = 20
NEW_ACCOUNT_TOPICS = 3
NEW_ACCOUNT_REPLIES = 10
TAG_RE = re.compile(r"^[\w][\w -]{0,29}$")


class PostingError(RuleError):
    """A forum rule said no (``message`` for the member, ``code``, ``retry_after``)."""


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return _("%(time)s on %(date)s") % {
        "time": date_format(local, "H:i"),
        "date": date_format(local, "j M"),
    }


# --- the member -------------------------------------------------------------------


def check_standing(author: User) -> None:
    if not author.is_authenticated or not author.is_active:
        raise PostingError(_("Sign in to post."), code="sign_in")
    if author.is_suspended:
        raise PostingError(_("Your account is suspended, so you cannot post."), code="suspended")
    if author.is_silenced:
        assert author.silenced_until is not None  # is_silenced says so
        raise PostingError(
            _(
                "You have been silenced by a moderator until %(until)s; "
                "you can read but not post until then."
            )
            % {"until": _when(author.silenced_until)},
            code="silenced",
        )


def _rate_key(author: User) -> str:
    return f"forum:last-post:{author.pk}"


def check_interval(author: User) -> None:
    if author.is_moderator:
        return
    last = cache.get(_rate_key(author))
    if last is None:
        return
    wait = math.ceil(last + POST_INTERVAL_SECONDS - time.time())
    if wait > 0:
        again = timezone.now() + timedelta(seconds=wait)
        seconds = ngettext("%(n)d second", "%(n)d seconds", wait) % {"n": wait}
        raise PostingError(
            _("You are posting quickly: please wait %(wait)s (you can post again at %(time)s).")
            % {"wait": seconds, "time": f"{timezone.localtime(again):%H:%M:%S}"},
            code="too_fast",
            retry_after=wait,
        )


def claim_interval(author: User) -> None:
    """Claim the member's posting slot last, so a refused post never costs a wait."""
    if author.is_moderator:
        return
    if not cache.add(_rate_key(author), time.time(), timeout=POST_INTERVAL_SECONDS):
        check_interval(author)
        cache.set(_rate_key(author), time.time(), timeout=POST_INTERVAL_SECONDS)


def check_first_day(author: User, *, topics: bool) -> None:
    if author.is_moderator or not author.is_new_account:
        return
    since = author.date_joined
    until = since + timedelta(days=1)
    if topics:
        count = Topic.objects.filter(author=author, created_at__gte=since).count()
        if count >= NEW_ACCOUNT_TOPICS:
            raise PostingError(
                ngettext(
                    "New members can start %(count)d topic in their first day; "
                    "you can start more from %(until)s.",
                    "New members can start %(count)d topics in their first day; "
                    "you can start more from %(until)s.",
                    NEW_ACCOUNT_TOPICS,
                )
                % {"count": NEW_ACCOUNT_TOPICS, "until": _when(until)},
                code="first_day",
            )
    else:
        count = Post.objects.filter(author=author, created_at__gte=since, number__gt=1).count()
        if count >= NEW_ACCOUNT_REPLIES:
            raise PostingError(
                ngettext(
                    "New members can post %(count)d reply in their first day; "
                    "you can reply again from %(until)s.",
                    "New members can post %(count)d replies in their first day; "
                    "you can reply again from %(until)s.",
                    NEW_ACCOUNT_REPLIES,
                )
                % {"count": NEW_ACCOUNT_REPLIES, "until": _when(until)},
                code="first_day",
            )


# --- what a post holds --------------------------------------------------------------


def checked_body(body: str) -> str:
    """The body as it is stored: cleaned, not empty, within the length limit."""
    body = clean_text(body)
    if not body:
        raise PostingError(_("Write something first: the post is empty."), code="empty")
    if len(body) > MAX_POST_CHARS:
        raise PostingError(
            too_long_message(MAX_POST_CHARS, len(body), "A post")
            + " Split it into two posts or shorten it.",
            code="too_long",
        )
    return body


def checked_title(title: str) -> str:
    """The title as it is stored: one cleaned line of 5 to 150 characters."""
    title = clean_line(title)
    if len(title) < TITLE_MIN:
        raise PostingError(
            ngettext(
                "Give the topic a title of at least %(count)d character.",
                "Give the topic a title of at least %(count)d characters.",
                TITLE_MIN,
            )
            % {"count": TITLE_MIN},
            code="too_short",
        )
    if len(title) > TITLE_MAX:
        raise PostingError(too_long_message(TITLE_MAX, len(title), "A title"), code="too_long")
    return title


def checked_reason(reason: str) -> str:
    """A moderator's reason for hiding, which the author is told."""
    reason = clean_line(reason)
    if not reason:
        raise PostingError(_("Give a reason; the author will see it."), code="reason")
    return reason[:REASON_MAX]


def render_checked(body: str, *, author: User | None) -> RenderedPost:
    """The post rendered as its author may post it (a new member's links stay text)."""
    rendered = render_post(body, links=author is None or trust.may_post_links(author))
    if len(rendered.mentioned) > MAX_MENTIONS:
        raise PostingError(
            ngettext(
                "A post can mention at most %(max)d people; this one mentions %(count)d.",
                "A post can mention at most %(max)d people; this one mentions %(count)d.",
                len(rendered.mentioned),
            )
            % {"max": MAX_MENTIONS, "count": len(rendered.mentioned)},
            code="mentions",
        )
    return rendered


def check_images(author: User, images: Sized) -> None:
    """New members (trust level 0) cannot attach images yet."""
    if images and not trust.may_attach_images(author):
        raise PostingError(
            _("New members cannot attach images yet. %(unlock)s")
            % {"unlock": trust.next_unlock(author)},
            code="images",
        )


def normalise_tag_names(names: Iterable[str]) -> list[str]:
    """Clean, de-duplicate (case-insensitively) and validate tag names."""
    seen: dict[str, str] = {}
    for raw in names:
        name = clean_line(str(raw)).lower()
        if not name:
            continue
        if not TAG_RE.match(name):
            raise PostingError(
                _(
                    "Tags are 1 to 30 letters, digits, spaces or hyphens; "
                    "“%(name)s” is not a valid tag."
                )
                % {"name": name[:30]},
                code="tag",
            )
        seen.setdefault(name, name)
    if len(seen) > MAX_TAGS:
        raise PostingError(
            ngettext(
                "A topic can have at most %(max)d tags; you gave %(count)d.",
                "A topic can have at most %(max)d tags; you gave %(count)d.",
                len(seen),
            )
            % {"max": MAX_TAGS, "count": len(seen)},
            code="tags",
        )
    return list(seen)


def resolve_tags(names: Iterable[str], *, member: User) -> list[TopicTag]:
    """Existing tags by name; moderators may create new ones, members may not."""
    wanted = normalise_tag_names(names)
    if not wanted:
        return []
    existing = {tag.name.lower(): tag for tag in TopicTag.objects.filter(name__in=wanted)}
    missing = [name for name in wanted if name not in existing]
    if missing and not member.is_moderator:
        listed = ", ".join(f"“{name}”" for name in missing)
        raise PostingError(
            ngettext(
                "Unknown tag %(tags)s: choose from the existing tags (moderators add new ones).",
                "Unknown tags %(tags)s: choose from the existing tags (moderators add new ones).",
                len(missing),
            )
            % {"tags": listed},
            code="tag",
        )
    for name in missing:
        slug = slugify(name, allow_unicode=True)[:100] or f"tag-{abs(hash(name))}"
        try:
            with transaction.atomic():
                tag, _ = TopicTag.objects.get_or_create(name=name, defaults={"slug": slug})
        except IntegrityError:
            tag = TopicTag.objects.filter(name=name).first() or TopicTag.objects.create(
                name=name, slug=f"{slug[:90]}-{TopicTag.objects.count() + 1}"
            )
        existing[name] = tag
    return [existing[name] for name in wanted]
