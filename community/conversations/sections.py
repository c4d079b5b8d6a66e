"""Private messages on shared pages: the digest's "unread messages" part."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.digest import ITEMS_PER_PART, DigestItem, DigestPart, absolute, register_part

from .models import Membership


def digest_unread_messages(member: Any, since: datetime) -> DigestPart | None:
    """The member's conversations with messages they have not read, busiest first
    (unread ones, whenever they came: a message is news until it is read)."""
    others = Membership.objects.active().exclude(member=member).select_related("member")
    memberships = list(
        Membership.objects.active()
        .filter(member=member)
        .with_unread()
        .filter(unread__gt=0)
        .select_related("conversation")
        .prefetch_related(Prefetch("conversation__memberships", others, to_attr="others"))
        .order_by("-unread", "-conversation__last_message_at")[:ITEMS_PER_PART]
    )
    if not memberships:
        return None
    items = []
    for membership in memberships:
        names = ", ".join(m.member.name for m in membership.conversation.others) or _("a member")
        items.append(
            DigestItem(
                title=ngettext(
                    "%(n)d unread message from %(names)s",
                    "%(n)d unread messages from %(names)s",
                    membership.unread,
                )
                % {"n": membership.unread, "names": names},
                url=absolute(membership.conversation.get_absolute_url()),
            )
        )
    return DigestPart(_("Your unread messages"), tuple(items))


def register() -> None:
    register_part(order=15)(digest_unread_messages)
