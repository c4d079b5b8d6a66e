"""The referral hub's slots on the public profile: badges, and converted referrals."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.digest import ITEMS_PER_PART, DigestItem, DigestPart, absolute, register_part
from hearth.sections import register_section
from referrals import badges, recruiting
from referrals.models import ReferralEvent, ReferralScore, Stage
from referrals.periods import ALL_TIME


@register_section("profile", order=55)
def member_badges(request, *, member, **kwargs):
    held = badges.badges_of(member)
    if not held:
        return None
    return "referrals/badges_profile.html", {"member": member, "badges": held}


@register_section("profile", order=60)
def referral_badges(request, *, member, **kwargs):
    converted = (
        ReferralScore.objects.filter(member=member, period=ALL_TIME)
        .values_list("converted", flat=True)
        .first()
        or 0
    )
    if not converted:
        return None
    return "referrals/_profile_section.html", {"member": member, "converted": converted}


@register_section("profile", order=65)
def recruiting_content(request, *, member, **kwargs):
    # Only the member and the editors: the counts are theirs, as on the content itself.
    user = request.user
    if not user.is_authenticated or (user.pk != member.pk and not user.is_editor):
        return None
    rows = recruiting.content_of(member, request)
    if not rows:
        return None
    return "referrals/_recruiting_profile.html", {
        "member": member,
        "rows": rows,
        "is_self": user.pk == member.pk,
    }


@register_section("content", order=50)
def recruiting_line(request, *, content, **kwargs):
    if not recruiting.may_see_count(request.user, content):
        return None
    counts = recruiting.brought(content, request)
    if not counts.members:
        return None
    return "referrals/_recruiting_line.html", {"text": recruiting.line(content, counts)}


NEWS = {
    Stage.JOINED: gettext_lazy("%(name)s joined"),
    Stage.CONVERTED: gettext_lazy("%(name)s became a regular"),
}


@register_part(order=30)
def digest_referral_news(member, since):
    """The member's friends who joined or converted since their last visit."""
    events = list(
        ReferralEvent.objects.filter(
            referral__referrer=member,
            created_at__gte=since,
            stage__in=[Stage.JOINED, Stage.CONVERTED],
        )
        .select_related("referral__referee")
        .order_by("-created_at", "-pk")[:ITEMS_PER_PART]
    )
    if not events:
        return None
    url = absolute(reverse("referrals:mine"))
    items = tuple(
        DigestItem(
            str(NEWS[Stage(event.stage)]) % {"name": event.referral.referee.name},
            url,
            _("Thanks to your invitation"),
        )
        for event in events
    )
    return DigestPart(_("Your referrals"), items)
