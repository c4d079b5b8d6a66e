"""Signals other apps listen to, and the receivers for account events.

The cross-app signals let the referral hub hear about content without the forum, chat
and guides importing it, and without it knowing their models: everything it needs is in
the signal. Actions send them with ``community.live.send_signal_after_commit``, so
receivers only ever see committed state and a failing receiver never undoes a post.

- ``content_published(sender, author, obj, kind, container)``: a post, topic, guide or
  chat message became visible. ``kind`` is one of "topic", "post", "guide", "chat";
  ``container`` is what holds ``obj`` (a post's topic) or None, so removing a whole topic
  also counts as removing what is in it. ``place`` (optional) names where it appeared,
  "forum.category:<slug>" or "chat.room:<slug>", so a challenge can count one place.
- ``content_removed(sender, author, obj, kind, container)``: it was hidden or deleted.
- ``reaction_added(sender, obj, author, reactor, kind, container, converts)``: someone
  reacted to ``author``'s ``obj``; ``converts`` says whether such a reaction can convert
  a referral (answers in the forum can; a chat message cannot).
- ``member_suspended(sender, member, moderator, reason)``.
- ``warm_action(sender, member, action, key, reason, actor, place)``: ``member`` did (or was
  given, by ``actor``) something warm the referral hub recognises: ``action`` is one of
  ``referrals.models.PointsRule.Action`` ("solution", "helpful_vote", "survey", ...),
  ``key`` names it uniquely ("forum.post:12"), ``reason`` says it in plain words for the
  member's points page. The hub decides whether it counts (``referrals.engagement``).
- ``warm_action_undone(sender, member, action, key, reason)``: take one back (a solution
  unmarked, a vote withdrawn, the content removed).
"""

from __future__ import annotations

from allauth.account.signals import user_signed_up
from django.contrib.auth import user_logged_out
from django.contrib.auth.models import Group
from django.dispatch import Signal, receiver

from community.live import disconnect_session
from community.models import MEMBERS_GROUP

content_published = Signal()
content_removed = Signal()
reaction_added = Signal()
member_suspended = Signal()
warm_action = Signal()
warm_action_undone = Signal()


@receiver(user_signed_up)
def add_new_member_to_members_group(sender, request, user, **kwargs) -> None:
    group, _ = Group.objects.get_or_create(name=MEMBERS_GROUP)
    user.groups.add(group)


@receiver(user_logged_out)
def close_sockets_of_logged_out_session(sender, request, user, **kwargs) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        disconnect_session(session_key, reason="You signed out.")
