"""Starting topics, replying, editing and deleting posts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from community import trust
from community.actions import notify
from community.models import User
from community.review import StaleItem, announce
from hearth import content_language
from hearth.i18n import for_member
from hearth.mail import queue_email

from .. import spam
from ..markup import RenderedPost, render_post
from ..models import (
    Category,
    NotificationLevel,
    Post,
    PostImage,
    PostRevision,
    Topic,
    TopicUser,
)
from ._common import (
    first_post_published,
    lock_post,
    post_withdrawn,
    publish,
    quoted_title,
    readers,
    refresh,
    require_moderator,
    withdraw,
)
from .emails import email_notified
from .levels import levels_for, members_at
from .rules import (
    MAX_IMAGES,
    PostingError,
    check_first_day,
    check_images,
    check_interval,
    check_standing,
    checked_body,
    checked_reason,
    checked_title,
    claim_interval,
    render_checked,
    resolve_tags,
)

# The review inbox's kind for posts held by spam signals (community.forum.review).
HELD_KIND = "held_post"


@dataclass(frozen=True)
class ImageAttachment:
    """A re-encoded upload (from community.uploads.process_uploaded_image) and its alt text."""

    content: ContentFile
    alt_text: str


@transaction.atomic
def start_topic(
    *,
    category: Category,
    author: User,
    title: str,
    body: str,
    tags: Iterable[str] = (),
    images: Sequence[ImageAttachment] = (),
    language: str = "",
) -> Topic:
    """``language``: the one the topic is written in (an offered code); empty or unknown:
    the category's, if it has one, else the writer's interface language."""
    check_standing(author)
    if not category.may_start_topic(author):
        raise PostingError(
            _("Only moderators can start topics in %(category)s.") % {"category": category.name},
            code="moderators_only",
        )
    title = checked_title(title)
    body = checked_body(body)
    tag_objects = resolve_tags(tags, member=author)
    check_first_day(author, topics=True)
    check_images(author, images)
    check_interval(author)
    held = spam.hold_reason(author=author, body=body)

    now = timezone.now()
    topic = Topic.objects.create(
        title=title,
        category=category,
        author=author,
        language=topic_language(category, chosen=language),
        created_at=now,
        last_activity_at=now,
        last_poster=author,
        # A topic whose opening post is held waits with it.
        held_at=now if held else None,
        held_reason=held,
    )
    post, rendered = _create_post(topic=topic, author=author, body=body, images=images, held=held)
    if tag_objects:
        topic.tags.set(tag_objects)
    refresh(topic)
    _touch_topic_user(topic=topic, member=author, read_to=post.number, watch=True)
    claim_interval(author)
    # Re-save so the search index sees the opening post and the tags.
    topic.save(update_fields=["title"])
    if held:
        _announce_held(post)
    else:
        _topic_published(post, mentioned=rendered.mentioned)
        publish(topic)
        first_post_published(post)
    return topic


def topic_language(category: Category | None, *, chosen: str = "") -> str:
    """The language a new topic is written in: the writer's choice, else the category's,
    else the writer's interface language (hearth.content_language)."""
    return (
        content_language.valid(chosen)
        or content_language.valid(category.language if category else "")
        or content_language.current()
    )


@transaction.atomic
def reply(
    *,
    topic: Topic,
    author: User,
    body: str,
    images: Sequence[ImageAttachment] = (),
    reply_to: Post | None = None,
) -> Post:
    """A reply to ``topic``; ``reply_to`` is the post of the topic it answers, if any (one
    its author may no longer read, or of another topic, is not linked: the reply still
    goes in)."""
    check_standing(author)
    found = Topic.objects.visible_to(author).select_related("category").filter(pk=topic.pk)
    current = found.first()
    if current is None:
        raise PostingError(_("This topic is no longer available."), code="unavailable")
    topic = current
    if topic.locked and not author.is_moderator:
        raise PostingError(_("This topic is locked: it no longer takes replies."), code="locked")
    body = checked_body(body)
    check_first_day(author, topics=False)
    check_images(author, images)
    check_interval(author)
    held = spam.hold_reason(author=author, body=body, topic=topic)

    answered = None
    if reply_to is not None and reply_to.topic_id == topic.pk:
        answered = Post.objects.visible_to(author).filter(pk=reply_to.pk).first()
    post, rendered = _create_post(
        topic=topic, author=author, body=body, images=images, held=held, reply_to=answered
    )
    if answered is not None and not topic.has_answers:
        Topic.objects.filter(pk=topic.pk).update(has_answers=True)
        topic.has_answers = True
    refresh(topic)
    _touch_topic_user(topic=topic, member=author, read_to=post.number, watch=True)
    claim_interval(author)
    if held:
        _announce_held(post)
    else:
        _reply_published(post, mentioned=rendered.mentioned)
    return post


def _topic_published(post: Post, *, mentioned: Sequence[User]) -> None:
    """A new topic became readable: mentioned members and those watching its category or
    one of its tags are told (nobody who muted it), by email too if they asked."""
    topic, author = post.topic, post.author
    assert author is not None
    levels = levels_for(topic)
    told = _notify_mentions(post=post, members=mentioned, actor=author, levels=levels)
    watchers = User.objects.filter(pk__in=members_at(levels, NotificationLevel.WATCHING))

    def text() -> str:
        return _("%(name)s started %(topic)s in %(category)s") % {
            "name": author.name,
            "topic": quoted_title(topic),
            "category": topic.category.name,
        }

    url = topic.get_absolute_url()
    notified = [
        watcher
        for watcher in readers(topic, watchers.exclude(pk=author.pk).exclude(pk__in=told))
        if notify(recipient=watcher, kind="forum_topic", text=text, url=url, actor=author)
    ]
    email_notified(kind="watched_topics", members=notified, text=text, url=url)


def _reply_published(post: Post, *, mentioned: Sequence[User]) -> None:
    """A reply became readable: mentioned members, the answered post's author and watchers
    are told (nobody who muted the topic; by email too if they asked), other apps hear."""
    topic, author = post.topic, post.author
    assert author is not None  # a reply is published by its author or approved with them
    levels = levels_for(topic)
    muted = members_at(levels, NotificationLevel.MUTED)
    told = _notify_mentions(post=post, members=mentioned, actor=author, levels=levels)
    answered = post.reply_to
    url = topic.post_url(post.number)
    if answered is not None and answered.author_id not in told | muted | {author.pk, None}:
        recipient = answered.author
        assert recipient is not None

        def answer_text() -> str:
            return _("%(name)s answered your post in %(topic)s") % {
                "name": author.name,
                "topic": quoted_title(topic),
            }

        if readers(topic, [recipient]) and notify(
            recipient=recipient, kind="forum_reply", text=answer_text, url=url, actor=author
        ):
            email_notified(kind="answers", members=[recipient], text=answer_text, url=url)
            told = told | {recipient.pk}
    watchers = (
        User.objects.filter(pk__in=members_at(levels, NotificationLevel.WATCHING))
        .exclude(pk=author.pk)
        .exclude(pk__in=told)
    )

    def text() -> str:
        return _("%(name)s replied in %(topic)s") % {
            "name": author.name,
            "topic": quoted_title(topic),
        }

    notified = [
        watcher
        for watcher in readers(topic, watchers)
        if notify(recipient=watcher, kind="forum_reply", text=text, url=url, actor=author)
    ]
    email_notified(kind="watched_posts", members=notified, text=text, url=url)
    if topic.is_visible:
        publish(post)
        first_post_published(post)


def _announce_held(post: Post) -> None:
    words = {"topic": quoted_title(post.topic), "reason": post.held_reason}
    announce(
        kind=HELD_KIND,
        key=str(post.pk),
        text=lambda: (
            _("A new topic in %(topic)s is held for review: %(reason)s.") % words
            if post.is_opening
            else _("A reply in %(topic)s is held for review: %(reason)s.") % words
        ),
    )


def _held_post(post: Post) -> Post:
    """The post locked, still held and not deleted (else StaleItem: nothing changes)."""
    post = lock_post(post)
    if post.held_at is None or post.deleted_at is not None or post.topic.deleted_at is not None:
        raise StaleItem(_("This post was already approved, rejected or deleted; nothing changed."))
    return post


@transaction.atomic
def approve_held_post(*, post: Post, moderator: User) -> Post:
    """Publish a post a spam signal held: counters, notifications and signals happen now,
    once (a second approval is a StaleItem)."""
    require_moderator(moderator)
    post = _held_post(post)
    topic = post.topic
    reason = post.held_reason
    Post.objects.filter(pk=post.pk).update(held_at=None, held_reason="")
    post.held_at, post.held_reason = None, ""
    if post.is_opening and topic.held_at is not None:
        Topic.objects.filter(pk=topic.pk).update(held_at=None, held_reason="")
        topic.held_at, topic.held_reason = None, ""
        topic.save(update_fields=["title"])  # the search index sees it now
    refresh(topic)
    author = post.author
    if author is not None:
        links = trust.may_post_links(author)
        mentioned = render_post(post.source, links=links).mentioned
        if post.is_opening:
            _topic_published(post, mentioned=mentioned)
            if topic.is_visible:
                publish(topic)
                first_post_published(post)
        else:
            _reply_published(post, mentioned=mentioned)
        notify(
            recipient=author,
            kind="forum_approved",
            text=lambda: (
                _("A moderator approved your post in %(topic)s: it is up.")
                % {"topic": quoted_title(topic)}
            ),
            url=topic.post_url(post.number),
            actor=moderator,
        )
    log(
        instance=post,
        action="hearth.forum.approve_held_post",
        user=moderator,
        data={"topic": topic.pk, "number": post.number, "held_reason": reason},
    )
    return post


@transaction.atomic
def reject_held_post(*, post: Post, moderator: User, reason: str) -> Post:
    """Turn down a held post: it is deleted (a held opening post takes its topic) and its
    author is told why."""
    require_moderator(moderator)
    reason = checked_reason(reason)
    post = _held_post(post)
    topic = post.topic
    post.deleted_at = timezone.now()
    post.deleted_by = moderator
    post.save(update_fields=["deleted_at", "deleted_by"])
    if post.is_opening:
        topic.deleted_at = post.deleted_at
        topic.save(update_fields=["deleted_at"])
    refresh(topic)
    if post.author is not None:
        notify(
            recipient=post.author,
            kind="forum_rejected",
            text=lambda: (
                _("A moderator did not publish your post in %(topic)s: %(reason)s")
                % {"topic": quoted_title(topic), "reason": reason}
            ),
            url=topic.category.get_absolute_url(),
            actor=moderator,
        )
    log(
        instance=post,
        action="hearth.forum.reject_held_post",
        user=moderator,
        data={"topic": topic.pk, "number": post.number, "reason": reason},
    )
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
    check_standing(editor)
    post = lock_post(post)
    if not post.may_edit(editor):
        raise PostingError(
            _("You can edit your own post for 24 hours after posting; ask a moderator now."),
            code="edit_window",
        )
    topic = post.topic
    body = checked_body(body)
    changes: dict[str, object] = {}
    if post.is_opening and title is not None:
        title = checked_title(title)
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
        links = post.author is None or trust.may_post_links(post.author)
        before = render_post(post.source, links=links)
        rendered = render_checked(body, author=post.author)
        PostRevision.objects.create(post=post, editor=editor, previous_source=post.source)
        post.source = body
        post.html = rendered.html
        post.edited_at = timezone.now()
        post.edited_by = editor
        post.save(update_fields=["source", "html", "edited_at", "edited_by"])
        changes["body"] = True
        if post.held_at is None:  # a held post tells nobody until it is approved
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
    post = lock_post(post)
    if not post.may_delete(member):
        raise PermissionDenied(_("Only the author or a moderator can delete this post."))
    topic = post.topic
    if post.is_opening and topic.reply_count and not member.is_moderator:
        raise PostingError(
            _(
                "This topic has replies, so it cannot be deleted; edit your post instead, or "
                "flag it for a moderator."
            ),
            code="has_replies",
        )
    was_visible = post.is_visible and topic.is_visible
    post.deleted_at = timezone.now()
    post.deleted_by = member
    post.save(update_fields=["deleted_at", "deleted_by"])
    post_withdrawn(post, reason=f"Your post in {quoted_title(topic)} was deleted")
    if member.pk != post.author_id:
        log(
            instance=post,
            action="hearth.forum.delete_post",
            user=member,
            data={"topic": topic.pk, "number": post.number},
        )
    if post.is_opening:
        topic_was_visible = topic.is_visible
        topic.deleted_at = post.deleted_at
        topic.save(update_fields=["deleted_at"])
        refresh(topic)
        if topic_was_visible:
            withdraw(topic)
        return
    refresh(topic)
    if was_visible:
        withdraw(post)


# --- helpers ----------------------------------------------------------------------


def _create_post(
    *,
    topic: Topic,
    author: User,
    body: str,
    images: Sequence[ImageAttachment],
    held: str = "",
    reply_to: Post | None = None,
) -> tuple[Post, RenderedPost]:
    rendered = render_checked(body, author=author)
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    number = locked.posts_total + 1
    Topic.objects.filter(pk=topic.pk).update(posts_total=number)
    topic.posts_total = number
    post = Post.objects.create(
        topic=topic,
        number=number,
        author=author,
        source=body,
        html=rendered.html,
        held_at=timezone.now() if held else None,
        held_reason=held,
        reply_to=reply_to,
    )
    if images:
        post.source = f"{body}\n\n{_attach_images(post=post, images=images, author=author)}"
        post.html = render_post(post.source, links=trust.may_post_links(author)).html
        post.save(update_fields=["source", "html"])
    return post, rendered


def _attach_images(*, post: Post, images: Sequence[ImageAttachment], author: User) -> str:
    if len(images) > MAX_IMAGES:
        raise PostingError(
            ngettext(
                "Attach at most %(count)d image to one post.",
                "Attach at most %(count)d images to one post.",
                MAX_IMAGES,
            )
            % {"count": MAX_IMAGES},
            code="images",
        )
    lines = []
    for attachment in images:
        image = PostImage(post=post, alt_text=attachment.alt_text[:200], uploaded_by=author)
        image.image.save(attachment.content.name, attachment.content, save=False)
        image.save()
        alt = attachment.alt_text.replace("[", "(").replace("]", ")")
        lines.append(f"![{alt}]({image.image.url})")
    return "\n\n".join(lines)


def _touch_topic_user(
    *, topic: Topic, member: User, read_to: int | None = None, watch: bool | None = None
) -> None:
    """Create or update a member's read position and (unless they chose a level) watching."""
    state, _ = TopicUser.objects.get_or_create(member=member, topic=topic)
    fields = []
    if read_to is not None and read_to > state.last_read_number:
        state.last_read_number = read_to
        fields.append("last_read_number")
    if watch is not None and state.watching is None and not state.level:
        state.watching = watch
        state.level = NotificationLevel.WATCHING if watch else NotificationLevel.NORMAL
        fields += ["watching", "level"]
    if fields:
        state.save(update_fields=fields)


def _notify_mentions(
    *,
    post: Post,
    members: Sequence[User],
    actor: User,
    skip: Iterable[int] = (),
    levels: dict[int, NotificationLevel] | None = None,
) -> set[int]:
    """Tell the mentioned members (not those who muted the topic); who was told."""
    skip = set(skip)
    if members:
        skip |= members_at(
            levels_for(post.topic) if levels is None else levels, NotificationLevel.MUTED
        )
    notified: set[int] = set()
    topic = post.topic
    url = topic.post_url(post.number)
    candidates = [m for m in members if m.pk not in skip and m.pk != actor.pk]
    for member in readers(topic, candidates):
        told = notify(
            recipient=member,
            kind="forum_mention",
            text=lambda: (
                _("%(name)s mentioned you in %(topic)s")
                % {"name": actor.name, "topic": quoted_title(topic)}
            ),
            url=url,
            actor=actor,
        )
        if told is None:  # they blocked the author: no email either
            continue
        notified.add(member.pk)
        if member.email_on_mention and member.email:
            _email_mention(member=member, actor=actor, topic=topic, url=url)
    return notified


def _email_mention(*, member: User, actor: User, topic: Topic, url: str) -> None:
    words = {
        "name": actor.name,
        "topic": quoted_title(topic),
        "member": member.name,
        "url": f"{settings.BASE_URL}{url}",
        "edit_url": f"{settings.BASE_URL}{member.get_absolute_url()}edit/",
    }
    with for_member(member):
        subject = f"[{settings.SITE_NAME}] " + _("%(name)s mentioned you in %(topic)s") % words
        body = (
            _(
                "Hello %(member)s,\n\n"
                "%(name)s mentioned you in the forum topic %(topic)s:\n\n"
                "%(url)s\n\n"
                "You get this email because mention emails are on in your profile. Turn them off "
                "at %(edit_url)s\n"
            )
            % words
        )
    queue_email(subject=subject, body=body, to=[member.email])
