"""The referral hub's slot on the public profile: badges and converted referrals."""

from __future__ import annotations

from hearth.sections import register_section
from referrals.models import MemberBadge, ReferralScore
from referrals.periods import ALL_TIME


@register_section("profile", order=60)
def referral_badges(request, *, member, **kwargs):
    badges = list(MemberBadge.objects.filter(member=member))
    converted = (
        ReferralScore.objects.filter(member=member, period=ALL_TIME)
        .values_list("converted", flat=True)
        .first()
        or 0
    )
    if not badges and not converted:
        return None
    return "referrals/_profile_section.html", {
        "member": member,
        "badges": badges,
        "converted": converted,
    }
