"""What members do with each other's posts: reactions and solutions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from community.actions import notify
from community.live import send_signal_after_commit
from community.models import REACTION_KEYS, REACTIONS, User
from community.signals import reaction_added

from ..models import Post, Reaction, Topic
from ._common import lock_post, quoted_title, solution_marked, solution_unmarked
from .rules import PostingError, check_standing


@transaction.atomic
def toggle_reaction(*, post: Post, member: User, kind: str) -> bool:
    """Add the reaction if the member has not given it, remove it if they have.

    Returns True when the reaction is now there.
    """
    if kind not in REACTION_KEYS:
        raise PostingError(_("Choose one of the reactions shown."), code="reaction")
    check_standing(member)
    post = lock_post(post)
    if not post.is_visible:
        raise PostingError(
            _("This post is not visible, so it cannot take reactions."), code="unavailable"
        )
    if post.author_id == member.pk:
        raise PostingError(_("You cannot react to your own post."), code="own_post")
    removed, _unused = Reaction.objects.filter(post=post, member=member, kind=kind).delete()
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
        emoji = next(e for key, e, _unused in REACTIONS if key == kind)
        topic = post.topic
        notify(
            recipient=post.author,
            kind="forum_reaction",
            text=lambda: (
                _("%(name)s reacted %(emoji)s to your post in %(topic)s")
                % {"name": member.name, "emoji": emoji, "topic": quoted_title(topic)}
            ),
            url=topic.post_url(post.number),
            actor=member,
        )
        send_signal_after_commit(
            reaction_added,
            sender=Post,
            obj=post,
            author=post.author,
            reactor=member,
            kind=kind,
            container=topic,
            converts=True,  # a reaction to a forum post can convert a referral
        )
    return added


@transaction.atomic
def mark_solution(*, post: Post, member: User) -> Topic:
    """Mark ``post`` as the answer to its topic (or unmark it if it already is)."""
    post = Post.objects.select_related("topic", "author").get(pk=post.pk)
    topic = Topic.objects.select_for_update().get(pk=post.topic_id)
    if not topic.may_mark_solution(member):
        raise PermissionDenied(_("Only the topic's author or a moderator can mark the solution."))
    if post.is_opening or not post.is_visible:
        raise PostingError(
            _("Only a visible reply can be marked as the solution."), code="solution"
        )
    if topic.solution_id == post.pk:
        topic.solution = None
        topic.save(update_fields=["solution"])
        solution_unmarked(post, reason=f"The solution mark in {quoted_title(topic)} was removed")
        return topic
    if topic.solution_id is not None:
        previous = Post.objects.select_related("author").get(pk=topic.solution_id)
        solution_unmarked(
            previous, reason=f"Another reply in {quoted_title(topic)} became the solution"
        )
    topic.solution = post
    topic.save(update_fields=["solution"])
    solution_marked(post, by=member)
    if post.author is not None:
        notify(
            recipient=post.author,
            kind="forum_solution",
            text=lambda: (
                _("%(name)s marked your post as the solution to %(topic)s")
                % {"name": member.name, "topic": quoted_title(topic)}
            ),
            url=topic.post_url(post.number),
            actor=member,
        )
    return topic
