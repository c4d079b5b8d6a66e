"""Signals other apps listen to, and the receivers for account events.

The cross-app signals let the referral hub hear about content without the forum, chat
and guides importing it. Actions send them with ``transaction.on_commit`` so receivers
only ever see committed state.

- ``content_published(sender, author, obj, kind)``: a post, topic, guide or chat message
  became visible. kind is one of "topic", "post", "guide", "chat".
- ``content_removed(sender, author, obj, kind)``: it was hidden or deleted.
- ``reaction_added(sender, obj, author, reactor, kind)``: someone reacted to ``author``'s
  ``obj``.
- ``member_suspended(sender, member, moderator, reason)``.
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


@receiver(user_signed_up)
def add_new_member_to_members_group(sender, request, user, **kwargs) -> None:
    group, _ = Group.objects.get_or_create(name=MEMBERS_GROUP)
    user.groups.add(group)


@receiver(user_logged_out)
def close_sockets_of_logged_out_session(sender, request, user, **kwargs) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        disconnect_session(session_key, reason="You signed out.")
