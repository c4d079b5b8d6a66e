"""Where the referral hub listens: allauth's account signals and community.signals.

Receivers are glue: they call the action functions, which do all the work. The
community signals arrive after the sender's transaction committed, and say everything
the hub needs (what holds the content, whether a reaction can convert) so that it never
needs to know the forum's, the chat's or the guides' models.
"""

from __future__ import annotations

from allauth.account.signals import email_confirmed, user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from community.live import after_commit
from community.signals import (
    content_published,
    content_removed,
    member_suspended,
    reaction_added,
    warm_action,
    warm_action_undone,
)
from referrals import actions, engagement, points
from referrals.models import PointsRule

# What the rest of the site may report through ``warm_action``. Content, reactions,
# referrals, birthdays, challenges and surprises have their own doors in this app.
WARM_SIGNAL_ACTIONS = frozenset(
    {
        PointsRule.Action.SOLUTION,
        PointsRule.Action.FIRST_POST,
        PointsRule.Action.HELPFUL_VOTE,
        PointsRule.Action.CONVERSATION,
        PointsRule.Action.STREAK,
        PointsRule.Action.PROFILE,
        PointsRule.Action.SURVEY,
    }
)


@receiver(user_signed_up, dispatch_uid="referrals.attribute_signup")
def attribute_signup(sender, request, user, **kwargs) -> None:
    if request is not None:
        actions.attribute_signup(user=user, request=request)


@receiver(email_confirmed, dispatch_uid="referrals.mark_joined")
def mark_joined(sender, request, email_address, **kwargs) -> None:
    actions.mark_joined(member=email_address.user)


@receiver(user_logged_in, dispatch_uid="referrals.record_member_network")
def record_member_network(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "META"):
        actions.record_member_network(member=user, request=request)


@receiver(content_published, dispatch_uid="referrals.content_published")
def on_content_published(
    sender, author=None, obj=None, kind="", container=None, place="", **kwargs
) -> None:
    if author is not None and obj is not None:
        actions.note_content_published(
            author=author, obj=obj, kind=kind, container=container, place=place
        )


@receiver(content_removed, dispatch_uid="referrals.content_removed")
def on_content_removed(sender, author=None, obj=None, kind="", **kwargs) -> None:
    if obj is not None:
        actions.note_content_removed(author=author, obj=obj, kind=kind)


@receiver(reaction_added, dispatch_uid="referrals.reaction_added")
def on_reaction_added(
    sender, obj=None, author=None, reactor=None, container=None, converts=False, **kwargs
) -> None:
    if obj is not None and reactor is not None:
        actions.note_reaction(
            obj=obj, author=author, reactor=reactor, container=container, converts=converts
        )


@receiver(warm_action, dispatch_uid="referrals.warm_action")
def on_warm_action(
    sender, member=None, action="", key="", reason="", actor=None, place="", **kwargs
) -> None:
    if member is not None and action in WARM_SIGNAL_ACTIONS and key:
        engagement.record(
            member=member, action=action, key=key, reason=reason, actor=actor, place=place
        )


@receiver(warm_action_undone, dispatch_uid="referrals.warm_action_undone")
def on_warm_action_undone(sender, member=None, action="", key="", reason="", **kwargs) -> None:
    if action in WARM_SIGNAL_ACTIONS and key:
        engagement.revoke(action=action, key=key, reason=reason)


@receiver(member_suspended, dispatch_uid="referrals.member_suspended")
def on_member_suspended(sender, member=None, **kwargs) -> None:
    if member is not None:
        actions.note_member_suspended(member=member)


@receiver(post_save, sender=PointsRule, dispatch_uid="referrals.rules_saved")
@receiver(post_delete, sender=PointsRule, dispatch_uid="referrals.rules_deleted")
def forget_points_rules(sender, **kwargs) -> None:
    after_commit(points.forget_rules, what="forgetting the cached points rules")
