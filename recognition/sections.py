"""The member's challenges on the home page: a compact card, one query."""

from __future__ import annotations

from hearth.sections import register_section
from recognition.models import Challenge

CARD_CHALLENGES = 3


@register_section("home", order=5)
def challenges_card(request, **kwargs):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    # One more than shown tells whether to say "and more".
    shown = list(Challenge.objects.for_member(user)[: CARD_CHALLENGES + 1])
    return "recognition/_card.html", {
        "challenges": shown[:CARD_CHALLENGES],
        "more": len(shown) > CARD_CHALLENGES,
    }
