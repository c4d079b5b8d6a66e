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
    return date_format(local, "H:i \\o\\n j M")


# --- the member -------------------------------------------------------------------


def check_standing(author: User) -> None:
    if not author.is_authenticated or not author.is_active:
        raise PostingError("Sign in to post.", code="sign_in")
    if author.is_suspended:
        raise PostingError("Your account is suspended, so you cannot post.", code="suspended")
    if author.is_silenced:
        assert author.silenced_until is not None  # is_silenced says so
        raise PostingError(
            f"You have been silenced by a moderator until {_when(author.silenced_until)}; "
            "you can read but not post until then.",
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
            f"You are posting quickly: please wait {seconds} "
            f"(you can post again at {timezone.localtime(again):%H:%M:%S}).",
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
                f"New members can start {NEW_ACCOUNT_TOPICS} topics in their first day; "
                f"you can start more from {_when(until)}.",
                code="first_day",
            )
    else:
        count = Post.objects.filter(author=author, created_at__gte=since, number__gt=1).count()
        if count >= NEW_ACCOUNT_REPLIES:
            raise PostingError(
                f"New members can post {NEW_ACCOUNT_REPLIES} replies in their first day; "
                f"you can reply again from {_when(until)}.",
                code="first_day",
            )


# --- what a post holds --------------------------------------------------------------


def checked_body(body: str) -> str:
    """The body as it is stored: cleaned, not empty, within the length limit."""
    body = clean_text(body)
    if not body:
        raise PostingError("Write something first: the post is empty.", code="empty")
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
            f"Give the topic a title of at least {TITLE_MIN} characters.", code="too_short"
        )
    if len(title) > TITLE_MAX:
        raise PostingError(too_long_message(TITLE_MAX, len(title), "A title"), code="too_long")
    return title


def checked_reason(reason: str) -> str:
    """A moderator's reason for hiding, which the author is told."""
    reason = clean_line(reason)
    if not reason:
        raise PostingError("Give a reason; the author will see it.", code="reason")
    return reason[:REASON_MAX]


def render_checked(body: str, *, author: User | None) -> RenderedPost:
    """The post rendered as its author may post it (a new member's links stay text)."""
    rendered = render_post(body, links=author is None or trust.may_post_links(author))
    if len(rendered.mentioned) > MAX_MENTIONS:
        raise PostingError(
            f"A post can mention at most {MAX_MENTIONS} people; this one mentions "
            f"{len(rendered.mentioned)}.",
            code="mentions",
        )
    return rendered


def check_images(author: User, images: Sized) -> None:
    """New members (trust level 0) cannot attach images yet."""
    if images and not trust.may_attach_images(author):
        raise PostingError(
            "New members cannot attach images yet. " + trust.next_unlock(author), code="images"
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
                "Tags are 1 to 30 letters, digits, spaces or hyphens; "
                f"“{name[:30]}” is not a valid tag.",
                code="tag",
            )
        seen.setdefault(name, name)
    if len(seen) > MAX_TAGS:
        raise PostingError(
            f"A topic can have at most {MAX_TAGS} tags; you gave {len(seen)}.", code="tags"
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
        unknown = ngettext("Unknown tag", "Unknown tags", len(missing))
        raise PostingError(
            f"{unknown} {listed}: choose from the existing tags (moderators add new ones).",
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
