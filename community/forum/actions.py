"""Forum verbs. Views, the chat's "turn into topic", commands and the demo all call these.

Every function is keyword-only and atomic; notifications, live events, emails and the
cross-app signals (``content_published``, ``content_removed``, ``reaction_added``) go out
only after the transaction commits. A rule that says no raises :class:`PostingError` with
a sentence the member can act on.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from wagtail.log_actions import log

from community.actions import notify
from community.models import REACTION_KEYS, REACTIONS, User
from community.signals import content_published, content_removed, reaction_added
from hearth.mail import queue_email

from .markup import RenderedPost, render_post
from .models import (
    Category,
    Flag,
    FlagOutcome,
    FlagReason,
    Post,
    PostImage,
    PostRevision,
    Reaction,
    Topic,
    TopicTag,
    TopicUser,
)

logger = logging.getLogger(__name__)

MAX_POST_CHARS = 20_000
MAX_MENTIONS = 5
MAX_TAGS = 5
MAX_IMAGES = 4
TITLE_MIN = 5
TITLE_MAX = 150
POST_INTERVAL_SECONDS = 20
NEW_ACCOUNT_TOPICS = 3
NEW_ACCOUNT_REPLIES = 10
FLAGS_TO_HIDE = 3
TAG_RE = re.compile(r"^[\w][\w -]{0,29}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class PostingError(ValidationError):
    """A forum rule said no; the message says why and, where it can, when to try again."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return self.messages[0]


@dataclass(frozen=True)
class ImageAttachment:
    """A re-encoded upload (from community.uploads.process_uploaded_image) and its alt text."""

    content: ContentFile
    alt_text: str


# --- rules --------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "H:i \\o\\n j M")


def _check_standing(author: User) -> None:
    if not author.is_authenticated or not author.is_active:
        raise PostingError("Sign in to post.")
    if author.is_suspended:
        raise PostingError("Your account is suspended, so you cannot post.")
    if author.is_silenced:
        raise PostingError(
            f"You have been silenced by a moderator until {_when(author.silenced_until)}; "
            "you can read but not post until then."
        )


def _rate_key(author: User) -> str:
    return f"forum:last-post:{author.pk}"


def _check_interval(author: User) -> None:
    if author.is_moderator:
        return
    last = cache.get(_rate_key(author))
    if last is None:
        return
    wait = math.ceil(last + POST_INTERVAL_SECONDS - time.time())
    if wait > 0:
        again = timezone.now() + timedelta(seconds=wait)
        raise PostingError(
            f"You are posting quickly: please wait {wait} second{'s' if wait != 1 else ''} "
            f"(you can post again at {timezone.localtime(again):%H:%M:%S})."
        )


def _claim_interval(author: User) -> None:
    """Claim the member's posting slot last, so a refused post never costs a wait."""
    if author.is_moderator:
        return
    if not cache.add(_rate_key(author), time.time(), timeout=POST_INTERVAL_SECONDS):
        _check_interval(author)
        cache.set(_rate_key(author), time.time(), timeout=POST_INTERVAL_SECONDS)


def _check_first_day(author: User, *, topics: bool) -> None:
    if author.is_moderator or not author.is_new_account:
        return
    since = author.date_joined
    until = since + timedelta(days=1)
    if topics:
        count = Topic.objects.filter(author=author, created_at__gte=since).count()
        if count >= NEW_ACCOUNT_TOPICS:
            raise PostingError(
                f"New members can start {NEW_ACCOUNT_TOPICS} topics in their first day; "
                f"you can start more from {_when(until)}."
            )
    else:
        count = Post.objects.filter(author=author, created_at__gte=since, number__gt=1).count()
        if count >= NEW_ACCOUNT_REPLIES:
            raise PostingError(
                f"New members can post {NEW_ACCOUNT_REPLIES} replies in their first day; "
                f"you can reply again from {_when(until)}."
            )


def clean_body(body: str) -> str:
    body = _CONTROL_RE.sub("", (body or "").replace("\r\n", "\n")).strip()
    if not body:
        raise PostingError("Write something first: the post is empty.")
    if len(body) > MAX_POST_CHARS:
        raise PostingError(
            f"The post is {len(body):,} characters long; the limit is {MAX_POST_CHARS:,}. "
            "Split it into two posts or shorten it."
        )
    return body


def clean_title(title: str) -> str:
    title = " ".join(_CONTROL_RE.sub("", title or "").split())
    if len(title) < TITLE_MIN:
        raise PostingError(f"Give the topic a title of at least {TITLE_MIN} characters.")
    if len(title) > TITLE_MAX:
        raise PostingError(f"The title is {len(title)} characters long; the limit is {TITLE_MAX}.")
    return title


def _render_checked(body: str) -> RenderedPost:
    rendered = render_post(body)
    if len(rendered.mentioned) > MAX_MENTIONS:
        raise PostingError(
            f"A post can mention at most {MAX_MENTIONS} people; this one mentions "
            f"{len(rendered.mentioned)}."
        )
    return rendered


def normalise_tag_names(names: Iterable[str]) -> list[str]:
    """Tidy, de-duplicate (case-insensitively) and validate tag names."""
    seen: dict[str, str] = {}
    for raw in names:
        name = " ".join(_CONTROL_RE.sub("", str(raw)).split()).lower()
        if not name:
            continue
        if not TAG_RE.match(name):
            raise PostingError(
                "Tags are 1 to 30 letters, digits, spaces or hyphens; "
                f"“{name[:30]}” is not a valid tag."
            )
        seen.setdefault(name, name)
    if len(seen) > MAX_TAGS:
        raise PostingError(f"A topic can have at most {MAX_TAGS} tags; you gave {len(seen)}.")
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
            f"Unknown tag{'s' if len(missing) > 1 else ''} {listed}: choose from the existing "
            "tags (moderators add new ones)."
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


# --- helpers ----------------------------------------------------------------------


def _lock_post(post: Post) -> Post:
    """Reload a post with its topic and author, locking only the post's row.

    ``of=("self",)``: PostgreSQL cannot lock the nullable side of the outer join to the
    author, and the topic row must stay free for replies.
    """
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("topic", "author")
        .get(pk=post.pk)
    )


def _send_after_commit(signal, **kwargs) -> None:
    """Send a cross-app signal once committed; a failing receiver is logged, never a 500
    for a post that is already saved."""

    def send() -> None:
        for receiver, result in signal.send_robust(**kwargs):
            if isinstance(result, Exception):
                logger.error(
                    "Receiver %r of a forum signal failed",
                    receiver,
                    exc_info=(type(result), result, result.__traceback__),
                )

    transaction.on_commit(send)


def _publish(obj: Topic | Post, *, kind: str) -> None:
    _send_after_commit(content_published, sender=type(obj), author=obj.author, obj=obj, kind=kind)


def _remove(obj: Topic | Post, *, kind: str) -> None:
    _send_after_commit(content_removed, sender=type(obj), author=obj.author, obj=obj, kind=kind)


def _refresh(topic: Topic, *categories: Category) -> None:
    topic.refresh_stats()
    for category in {c.pk: c for c in (topic.category, *categories)}.values():
        category.refresh_stats()


def _touch_topic_user(
    *, topic: Topic, member: User, read_to: int | None = None, watch: bool | None = None
) -> None:
    """Create or update a member's read position and (unless they opted out) watching."""
    state, _ = TopicUser.objects.get_or_create(member=member, topic=topic)
    fields = []
    if read_to is not None and read_to > state.last_read_number:
        state.last_read_number = read_to
        fields.append("last_read_number")
    if watch is not None and state.watching is None:
        state.watching = watch
        fields.append("watching")
    if fields:
        state.save(update_fields=fields)


def _quoted_title(topic: Topic) -> str:
    title = topic.title if len(topic.title) <= 80 else topic.title[:79] + "…"
    return f"“{title}”"


def _may_see(member: User, topic: Topic) -> bool:
    if not member.is_active or topic.deleted_at is not None:
        return False
    return not topic.hidden or member.is_moderator


def _notify_mentions(
    *, post: Post, members: Sequence[User], actor: User, skip: Iterable[int] = ()
) -> set[int]:
    skip = set(skip)
    notified: set[int] = set()
    topic = post.topic
    url = topic.post_url(post.number)
    for member in members:
        if member.pk in skip or member.pk == actor.pk or not _may_see(member, topic):
            continue
        notify(
            recipient=member,
            kind="forum_mention",
            text=f"{actor.name} mentioned you in {_quoted_title(topic)}",
            url=url,
            actor=actor,
        )
        notified.add(member.pk)
        if member.email_on_mention and member.email:
            _email_mention(member=member, actor=actor, topic=topic, url=url)
    return notified


def _email_mention(*, member: User, actor: User, topic: Topic, url: str) -> None:
    subject = f"[{settings.SITE_NAME}] {actor.name} mentioned you in {_quoted_title(topic)}"
    body = (
        f"Hello {member.name},\n\n"
        f"{actor.name} mentioned you in the forum topic {_quoted_title(topic)}:\n\n"
        f"{settings.BASE_URL}{url}\n\n"
        "You get this email because mention emails are on in your profile. Turn them off "
        f"at {settings.BASE_URL}{member.get_absolute_url()}edit/\n"
    )
    queue_email(subject=subject, body=body, to=[member.email])


def _attach_images(*, post: Post, images: Sequence[ImageAttachment], author: User) -> str:
    if len(images) > MAX_IMAGES:
        raise PostingError(f"Attach at most {MAX_IMAGES} images to one post.")
    lines = []
    for attachment in images:
        image = PostImage(post=post, alt_text=attachment.alt_text[:200], uploaded_by=author)
        image.image.save(attachment.content.name, attachment.content, save=False)
        image.save()
        alt = attachment.alt_text.replace("[", "(").replace("]", ")")
        lines.append(f"![{alt}]({image.image.url})")
    return "\n\n".join(lines)


def _create_post(
    *, topic: Topic, author: User, body: str, images: Sequence[ImageAttachment]
) -> tuple[Post, RenderedPost]:
    rendered = _render_checked(body)
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    number = locked.posts_total + 1
    Topic.objects.filter(pk=topic.pk).update(posts_total=number)
    topic.posts_total = number
    post = Post.objects.create(
        topic=topic, number=number, author=author, source=body, html=rendered.html
    )
    if images:
        post.source = f"{body}\n\n{_attach_images(post=post, images=images, author=author)}"
        post.html = render_post(post.source).html
        post.save(update_fields=["source", "html"])
    return post, rendered


# --- posting ------------------------------------------------------------------------


@transaction.atomic
def start_topic(
    *,
    category: Category,
    author: User,
    title: str,
    body: str,
    tags: Iterable[str] = (),
    images: Sequence[ImageAttachment] = (),
) -> Topic:
    _check_standing(author)
    if not category.may_start_topic(author):
        raise PostingError(f"Only moderators can start topics in {category.name}.")
    title = clean_title(title)
    body = clean_body(body)
    tag_objects = resolve_tags(tags, member=author)
    _check_first_day(author, topics=True)
    _check_interval(author)

    now = timezone.now()
    topic = Topic.objects.create(
        title=title,
        category=category,
        author=author,
        created_at=now,
        last_activity_at=now,
        last_poster=author,
    )
    post, rendered = _create_post(topic=topic, author=author, body=body, images=images)
    if tag_objects:
        topic.tags.set(tag_objects)
    _refresh(topic)
    _touch_topic_user(topic=topic, member=author, read_to=post.number, watch=True)
    _notify_mentions(post=post, members=rendered.mentioned, actor=author)
    _claim_interval(author)
    # Re-save so the search index sees the opening post and the tags.
    topic.save(update_fields=["title"])
    _publish(topic, kind="topic")
    return topic


@transaction.atomic
def reply(*, topic: Topic, author: User, body: str, images: Sequence[ImageAttachment] = ()) -> Post:
    _check_standing(author)
    topic = Topic.objects.select_related("category").get(pk=topic.pk)
    if topic.deleted_at is not None or (topic.hidden and not author.is_moderator):
        raise PostingError("This topic is no longer available.")
    if not topic.category.may_read(author):
        raise PostingError("Sign in to reply to this topic.")
    if topic.locked and not author.is_moderator:
        raise PostingError("This topic is locked: it no longer takes replies.")
    body = clean_body(body)
    _check_first_day(author, topics=False)
    _check_interval(author)

    post, rendered = _create_post(topic=topic, author=author, body=body, images=images)
    _refresh(topic)
    _touch_topic_user(topic=topic, member=author, read_to=post.number, watch=True)

    mentioned = _notify_mentions(post=post, members=rendered.mentioned, actor=author)
    watchers = (
        User.objects.filter(forum_topics__topic=topic, forum_topics__watching=True, is_active=True)
        .exclude(pk=author.pk)
        .exclude(pk__in=mentioned)
    )
    url = topic.post_url(post.number)
    for watcher in watchers:
        if _may_see(watcher, topic):
            notify(
                recipient=watcher,
                kind="forum_reply",
                text=f"{author.name} replied in {_quoted_title(topic)}",
                url=url,
                actor=author,
            )
    _claim_interval(author)
    if topic.is_listed:
        _publish(post, kind="post")
    return post


@transaction.atomic
def edit_post(
    *,
    post: Post,
    editor: User,
    body: str,
    title: str | None = None,
    tags: Iterable[str] | None = None,
) -> Post:
    """Change a post's source (and, for an opening post, the topic's title and tags)."""
    _check_standing(editor)
    post = _lock_post(post)
    if not post.may_edit(editor):
        raise PostingError(
            "You can edit your own post for 24 hours after posting; ask a moderator now."
        )
    topic = post.topic
    body = clean_body(body)
    changes: dict[str, object] = {}
    if post.is_opening and title is not None:
        title = clean_title(title)
        if title != topic.title:
            changes["title"] = {"from": topic.title, "to": title}
            topic.title = title
            topic.slug = Topic.slug_for(title)
    tag_objects = None
    if post.is_opening and tags is not None:
        tag_objects = resolve_tags(tags, member=editor)
        old = sorted(t.name for t in topic.tags.all())
        new = sorted(t.name for t in tag_objects)
        if old != new:
            changes["tags"] = {"from": old, "to": new}

    if body != post.source:
        before = render_post(post.source)
        rendered = _render_checked(body)
        PostRevision.objects.create(post=post, editor=editor, previous_source=post.source)
        post.source = body
        post.html = rendered.html
        post.edited_at = timezone.now()
        post.edited_by = editor
        post.save(update_fields=["source", "html", "edited_at", "edited_by"])
        changes["body"] = True
        already = {member.pk for member in before.mentioned}
        _notify_mentions(post=post, members=rendered.mentioned, actor=editor, skip=already)
    if tag_objects is not None and "tags" in changes:
        topic.tags.set(tag_objects)
    if "title" in changes or "tags" in changes or (post.is_opening and "body" in changes):
        topic.save(update_fields=["title", "slug"])  # also refreshes the search index
    if changes and editor.pk != post.author_id:
        log(
            instance=post,
            action="hearth.forum.edit_post",
            user=editor,
            data={"topic": topic.pk, "number": post.number, "changed": sorted(changes)},
        )
    return post


@transaction.atomic
def delete_post(*, post: Post, member: User) -> None:
    """Soft-delete a post; deleting an opening post deletes the topic."""
    post = _lock_post(post)
    if not post.may_delete(member):
        raise PermissionDenied("Only the author or a moderator can delete this post.")
    topic = post.topic
    if post.is_opening and topic.reply_count and not member.is_moderator:
        raise PostingError(
            "This topic has replies, so it cannot be deleted; edit your post instead, or "
            "flag it for a moderator."
        )
    was_visible = post.is_visible and topic.is_listed
    post.deleted_at = timezone.now()
    post.deleted_by = member
    post.save(update_fields=["deleted_at", "deleted_by"])
    if topic.solution_id == post.pk:
        topic.solution = None
        topic.save(update_fields=["solution"])
    if member.pk != post.author_id:
        log(
            instance=post,
            action="hearth.forum.delete_post",
            user=member,
            data={"topic": topic.pk, "number": post.number},
        )
    if post.is_opening:
        topic_was_listed = topic.is_listed
        topic.deleted_at = post.deleted_at
        topic.save(update_fields=["deleted_at"])
        _refresh(topic)
        if topic_was_listed:
            _remove(topic, kind="topic")
        return
    _refresh(topic)
    if was_visible:
        _remove(post, kind="post")


# --- reactions, solutions, watching, reading ---------------------------------------


@transaction.atomic
def toggle_reaction(*, post: Post, member: User, kind: str) -> bool:
    """Add the reaction if the member has not given it, remove it if they have.

    Returns True when the reaction is now there.
    """
    if kind not in REACTION_KEYS:
        raise PostingError("Choose one of the reactions shown.")
    _check_standing(member)
    post = _lock_post(post)
    if not post.is_visible:
        raise PostingError("This post is not visible, so it cannot take reactions.")
    if post.author_id == member.pk:
        raise PostingError("You cannot react to your own post.")
    removed, _ = Reaction.objects.filter(post=post, member=member, kind=kind).delete()
    added = False
    if not removed:
        try:
            with transaction.atomic():
                Reaction.objects.create(post=post, member=member, kind=kind)
            added = True
        except IntegrityError:  # a double click raced us: the reaction is there
            added = False
    counts = dict(
        Reaction.objects.filter(post=post)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    post.reaction_counts = {key: counts[key] for key in REACTION_KEYS if counts.get(key)}
    post.save(update_fields=["reaction_counts"])
    if added and post.author is not None:
        emoji = next(e for key, e, _ in REACTIONS if key == kind)
        topic = post.topic
        notify(
            recipient=post.author,
            kind="forum_reaction",
            text=f"{member.name} reacted {emoji} to your post in {_quoted_title(topic)}",
            url=topic.post_url(post.number),
            actor=member,
        )
        _send_after_commit(
            reaction_added, sender=Post, obj=post, author=post.author, reactor=member, kind=kind
        )
    return added


@transaction.atomic
def mark_solution(*, post: Post, member: User) -> Topic:
    """Mark ``post`` as the answer to its topic (or unmark it if it already is)."""
    post = Post.objects.select_related("topic", "author").get(pk=post.pk)
    topic = Topic.objects.select_for_update().get(pk=post.topic_id)
    if not topic.may_mark_solution(member):
        raise PermissionDenied("Only the topic's author or a moderator can mark the solution.")
    if post.is_opening or not post.is_visible:
        raise PostingError("Only a visible reply can be marked as the solution.")
    if topic.solution_id == post.pk:
        topic.solution = None
        topic.save(update_fields=["solution"])
        return topic
    topic.solution = post
    topic.save(update_fields=["solution"])
    if post.author is not None:
        notify(
            recipient=post.author,
            kind="forum_solution",
            text=f"{member.name} marked your post as the solution to {_quoted_title(topic)}",
            url=topic.post_url(post.number),
            actor=member,
        )
    return topic


@transaction.atomic
def set_watching(*, topic: Topic, member: User, watching: bool) -> None:
    state, _ = TopicUser.objects.get_or_create(member=member, topic=topic)
    state.watching = watching
    state.save(update_fields=["watching"])


def record_read(*, topic: Topic, member: User, last_read: int | None, up_to: int) -> None:
    """Move a member's read position forward to ``up_to`` (one query; never backwards).

    ``last_read`` is the position the caller already loaded (None: no row yet).
    """
    if last_read is not None and last_read >= up_to:
        return
    TopicUser.objects.bulk_create(
        [TopicUser(member=member, topic=topic, last_read_number=up_to)],
        update_conflicts=True,
        unique_fields=["member", "topic"],
        update_fields=["last_read_number"],
    )


# --- flags ------------------------------------------------------------------------


@transaction.atomic
def flag_post(*, post: Post, flagger: User, reason: str, text: str = "") -> Flag:
    if reason not in FlagReason.values:
        raise PostingError("Choose why you are flagging this post.")
    text = " ".join((text or "").split())[:500]
    if reason == FlagReason.OTHER and not text:
        raise PostingError("Say in a few words what is wrong with this post.")
    post = _lock_post(post)
    if post.author_id == flagger.pk:
        raise PostingError("You cannot flag your own post; edit or delete it instead.")
    if post.deleted_at is not None:
        raise PostingError("This post has been deleted.")
    try:
        with transaction.atomic():
            flag = Flag.objects.create(post=post, flagger=flagger, reason=reason, text=text)
    except IntegrityError:
        raise PostingError(
            "You have already flagged this post; moderators will look at it."
        ) from None
    open_flags = Flag.objects.filter(post=post, resolved_at__isnull=True)
    post.open_flag_count = open_flags.count()
    fields = ["open_flag_count"]
    hide = not post.hidden and open_flags.values("flagger").distinct().count() >= FLAGS_TO_HIDE
    if hide:
        post.hidden = True
        post.hidden_by_flags = True
        post.hidden_at = timezone.now()
        post.hidden_reason = (
            f"Hidden after flags from {FLAGS_TO_HIDE} members, until a moderator reviews it."
        )
        fields += ["hidden", "hidden_by_flags", "hidden_at", "hidden_reason"]
    post.save(update_fields=fields)
    if hide:
        _after_post_hidden(post)
        if post.author is not None:
            notify(
                recipient=post.author,
                kind="forum_hidden",
                text=f"Your post in {_quoted_title(post.topic)} was hidden after members "
                "flagged it; a moderator will review it.",
                url=post.topic.post_url(post.number),
            )
    return flag


def _after_post_hidden(post: Post) -> None:
    topic = post.topic
    if topic.solution_id == post.pk:
        Topic.objects.filter(pk=topic.pk).update(solution=None)
        topic.solution = None
    _refresh(topic)
    if topic.is_listed:
        _remove(post, kind="post")


@transaction.atomic
def resolve_flags(*, post: Post, moderator: User, outcome: str) -> int:
    """Close a post's open flags: "hidden" keeps it hidden, "dismissed" restores it."""
    _require_moderator(moderator)
    if outcome not in (FlagOutcome.HIDDEN, FlagOutcome.DISMISSED):
        raise PostingError("Choose “hide” or “dismiss”.")
    post = _lock_post(post)
    open_flags = Flag.objects.filter(post=post, resolved_at__isnull=True)
    reasons = sorted(set(open_flags.values_list("reason", flat=True)))
    closed = open_flags.update(outcome=outcome, resolved_at=timezone.now(), resolved_by=moderator)
    post.open_flag_count = 0
    fields = ["open_flag_count"]
    if outcome == FlagOutcome.HIDDEN:
        was_hidden = post.hidden
        post.hidden = True
        post.hidden_by_flags = False
        post.hidden_by = moderator
        post.hidden_at = post.hidden_at or timezone.now()
        labels = ", ".join(FlagReason(r).label.lower() for r in reasons) or "flags"
        post.hidden_reason = f"Hidden by a moderator after review ({labels})."
        fields += ["hidden", "hidden_by_flags", "hidden_by", "hidden_at", "hidden_reason"]
        post.save(update_fields=fields)
        if not was_hidden:
            _after_post_hidden(post)
    else:
        restore = post.hidden and post.hidden_by_flags
        if restore:
            post.hidden = False
            post.hidden_by_flags = False
            post.hidden_reason = ""
            post.hidden_at = None
            fields += ["hidden", "hidden_by_flags", "hidden_reason", "hidden_at"]
        post.save(update_fields=fields)
        if restore:
            _refresh(post.topic)
            if post.topic.is_listed:
                _publish(post, kind="post")
    log(
        instance=post,
        action=f"hearth.forum.flags_{outcome}",
        user=moderator,
        data={"topic": post.topic_id, "number": post.number, "flags": closed, "reasons": reasons},
    )
    return closed


# --- moderation -------------------------------------------------------------------


def _require_moderator(user: User) -> None:
    if not (user.is_authenticated and user.is_moderator):
        raise PermissionDenied("Only moderators can do that.")


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise PostingError("Give a reason; the author will see it.")
    return reason[:300]


@transaction.atomic
def set_pinned(*, topic: Topic, moderator: User, pinned: bool) -> None:
    _require_moderator(moderator)
    if topic.pinned == pinned:
        return
    topic.pinned = pinned
    topic.save(update_fields=["pinned"])
    log(
        instance=topic,
        action="hearth.forum.pin" if pinned else "hearth.forum.unpin",
        user=moderator,
    )


@transaction.atomic
def set_locked(*, topic: Topic, moderator: User, locked: bool) -> None:
    _require_moderator(moderator)
    if topic.locked == locked:
        return
    topic.locked = locked
    topic.save(update_fields=["locked"])
    log(
        instance=topic,
        action="hearth.forum.lock" if locked else "hearth.forum.unlock",
        user=moderator,
    )


@transaction.atomic
def hide_topic(*, topic: Topic, moderator: User, reason: str) -> None:
    _require_moderator(moderator)
    reason = _clean_reason(reason)
    if topic.hidden:
        return
    topic.hidden = True
    topic.hidden_reason = reason
    topic.hidden_at = timezone.now()
    topic.hidden_by = moderator
    topic.save(update_fields=["hidden", "hidden_reason", "hidden_at", "hidden_by"])
    _refresh(topic)
    log(instance=topic, action="hearth.forum.hide_topic", user=moderator, data={"reason": reason})
    if topic.deleted_at is None:
        _remove(topic, kind="topic")
        if topic.author is not None:
            notify(
                recipient=topic.author,
                kind="forum_hidden",
                text=f"A moderator hid your topic {_quoted_title(topic)}: {reason}",
                url=topic.get_absolute_url(),
                actor=moderator,
            )


@transaction.atomic
def unhide_topic(*, topic: Topic, moderator: User) -> None:
    _require_moderator(moderator)
    if not topic.hidden:
        return
    topic.hidden = False
    topic.hidden_reason = ""
    topic.hidden_at = None
    topic.hidden_by = None
    topic.save(update_fields=["hidden", "hidden_reason", "hidden_at", "hidden_by"])
    _refresh(topic)
    log(instance=topic, action="hearth.forum.unhide_topic", user=moderator)
    if topic.deleted_at is None:
        _publish(topic, kind="topic")


@transaction.atomic
def hide_post(*, post: Post, moderator: User, reason: str) -> None:
    _require_moderator(moderator)
    reason = _clean_reason(reason)
    post = _lock_post(post)
    if post.hidden and not post.hidden_by_flags:
        return
    was_hidden = post.hidden
    post.hidden = True
    post.hidden_by_flags = False
    post.hidden_reason = reason
    post.hidden_at = timezone.now()
    post.hidden_by = moderator
    post.save(
        update_fields=["hidden", "hidden_by_flags", "hidden_reason", "hidden_at", "hidden_by"]
    )
    log(
        instance=post,
        action="hearth.forum.hide_post",
        user=moderator,
        data={"topic": post.topic_id, "number": post.number, "reason": reason},
    )
    if not was_hidden:
        _after_post_hidden(post)
        if post.author is not None:
            notify(
                recipient=post.author,
                kind="forum_hidden",
                text=f"A moderator hid your post in {_quoted_title(post.topic)}: {reason}",
                url=post.topic.post_url(post.number),
                actor=moderator,
            )


@transaction.atomic
def unhide_post(*, post: Post, moderator: User) -> None:
    _require_moderator(moderator)
    post = _lock_post(post)
    if not post.hidden:
        return
    post.hidden = False
    post.hidden_by_flags = False
    post.hidden_reason = ""
    post.hidden_at = None
    post.hidden_by = None
    post.save(
        update_fields=["hidden", "hidden_by_flags", "hidden_reason", "hidden_at", "hidden_by"]
    )
    _refresh(post.topic)
    log(
        instance=post,
        action="hearth.forum.unhide_post",
        user=moderator,
        data={"topic": post.topic_id, "number": post.number},
    )
    if post.deleted_at is None and post.topic.is_listed:
        _publish(post, kind="post")


@transaction.atomic
def move_topic(*, topic: Topic, moderator: User, category: Category) -> None:
    _require_moderator(moderator)
    if topic.category_id == category.pk:
        return
    old = topic.category
    topic.category = category
    topic.save(update_fields=["category"])
    _refresh(topic, old)
    log(
        instance=topic,
        action="hearth.forum.move",
        user=moderator,
        data={"from": old.slug, "to": category.slug},
    )
