"""Email invitations: a daily limit, once a week per address, valid for 90 days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community import trust
from community.models import User
from hearth.i18n import for_member, offered
from hearth.mail import queue_email
from hearth.text import clean_text
from referrals.actions import ReferralError, day_month, get_or_create_link
from referrals.models import INVITE_LIFETIME, INVITE_REPEAT_AFTER, Invite, ReferralLink


@dataclass
class InviteResult:
    invited: list[str] = field(default_factory=list)
    remaining_today: int = 0


def _emails_with_accounts(emails: list[str]) -> set[str]:
    found = set(
        User.objects.annotate(e=Lower("email")).filter(e__in=emails).values_list("e", flat=True)
    )
    found |= set(
        EmailAddress.objects.annotate(e=Lower("email"))
        .filter(e__in=emails)
        .values_list("e", flat=True)
    )
    return found


def daily_limit(sender: User) -> int:
    """Invitations per 24 hours: fewer for a new member (trust level 0)."""
    if not trust.at_least(sender, trust.MEMBER):
        return min(settings.TRUST_NEW_MEMBER_INVITES_PER_DAY, settings.REFERRAL_INVITES_PER_DAY)
    return settings.REFERRAL_INVITES_PER_DAY


def _new_member_note(sender: User) -> str:
    if trust.at_least(sender, trust.MEMBER):
        return ""
    return " " + _("New members send fewer invitations. %(next_unlock)s") % {
        "next_unlock": trust.next_unlock(sender)
    }


@transaction.atomic
def send_invites(*, sender: User, emails: list[str], note: str = "") -> InviteResult:
    """Invite friends by email: a daily limit, once a week per address, 90-day validity.

    Addresses that already have an account (or were invited by someone else this
    week) are recorded but not emailed, and the result does not say which.
    """
    emails = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    if not emails:
        raise ReferralError(_("Enter at least one email address."), code="invalid")
    User.objects.select_for_update().filter(pk=sender.pk).first()  # one sender at a time
    now = timezone.now()
    limit = daily_limit(sender)
    sent_today = Invite.objects.filter(
        sender=sender, created_at__gt=now - timedelta(days=1)
    ).count()
    remaining = max(limit - sent_today, 0)
    if len(emails) > remaining:
        raise ReferralError(
            (
                ngettext(
                    "You can send %(limit)d invitation a day and have %(left)d left for now; "
                    "you entered %(entered)d.",
                    "You can send %(limit)d invitations a day and have %(left)d left for now; "
                    "you entered %(entered)d.",
                    limit,
                )
                % {"limit": limit, "left": remaining, "entered": len(emails)}
                if remaining
                else ngettext(
                    "You have sent your %(limit)d invitation for today. Try again tomorrow.",
                    "You have sent your %(limit)d invitations for today. Try again tomorrow.",
                    limit,
                )
                % {"limit": limit}
            )
            + _new_member_note(sender),
            code="rate_limited",
        )
    own = {sender.email.lower()} if sender.email else set()
    if own & set(emails):
        raise ReferralError(_("That is your own address; invite a friend instead."), code="invalid")
    recent = {
        invite.email: invite.created_at
        for invite in Invite.objects.filter(
            sender=sender, email__in=emails, created_at__gt=now - INVITE_REPEAT_AFTER
        )
    }
    if recent:
        parts = [
            _("%(email)s (again from %(day)s)")
            % {"email": email, "day": day_month(when + INVITE_REPEAT_AFTER)}
            for email, when in sorted(recent.items())
        ]
        raise ReferralError(
            ngettext(
                "You invited these addresses in the last 7 days: %(addresses)s.",
                "You invited these addresses in the last 7 days: %(addresses)s.",
                len(parts),
            )
            % {"addresses": ", ".join(parts)},
            code="rate_limited",
        )
    link = get_or_create_link(owner=sender)
    skip = _emails_with_accounts(emails) | set(
        Invite.objects.filter(email__in=emails, created_at__gt=now - INVITE_REPEAT_AFTER)
        .values_list("email", flat=True)
        .distinct()
    )
    note = clean_text(note)[:500]
    expires_at = now + INVITE_LIFETIME
    for email in emails:
        emailed = email not in skip
        Invite.objects.create(
            sender=sender,
            email=email,
            note=note,
            link=link,
            created_at=now,
            expires_at=expires_at,
            emailed=emailed,
        )
        if emailed:
            _email_invite(sender=sender, email=email, note=note, link=link, expires_at=expires_at)
    return InviteResult(invited=emails, remaining_today=remaining - len(emails))


def _email_invite(
    *, sender: User, email: str, note: str, link: ReferralLink, expires_at: datetime
) -> None:
    context = {
        "sender": sender,
        "note": note,
        "link_url": f"{link.full_url}?via=invite",
        "expires_at": expires_at,
        "SITE_NAME": settings.SITE_NAME,
    }
    # The invitee's language is not known: the invitation goes in the sender's, their own
    # choice or else the one they are reading Hearth in (their browser's, the picker's).
    language = sender.language if offered(sender.language) else translation.get_language()
    with for_member(sender), translation.override(language):
        subject = _("%(name)s invites you to %(site_name)s") % {
            "name": sender.name,
            "site_name": settings.SITE_NAME,
        }
        body = render_to_string("referrals/email/invite.txt", context)
    queue_email(subject=subject, body=body, to=[email])
