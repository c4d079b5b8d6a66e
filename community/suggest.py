"""Who to @mention: the members whose username or name starts with what the member has
typed after "@" in a writing box (static/js/composer.js asks as they type)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from community.models import User
from hearth.http import AuthenticatedHttpRequest

LIMIT = 8
MAX_PREFIX = 30
# Letters, digits, underscores, and what a display name may hold between words.
PREFIX_RE = re.compile(r"[\w .'-]+")


def _prefix(request: AuthenticatedHttpRequest) -> str:
    """What was typed after "@", or "" when it cannot start a name (too long, junk)."""
    value = request.GET.get("q", "")
    value = value.strip().removeprefix("@") if isinstance(value, str) else ""
    if not 1 <= len(value) <= MAX_PREFIX or not PREFIX_RE.fullmatch(value):
        return ""
    return value


@require_GET
@login_required
def suggest_members(request: AuthenticatedHttpRequest) -> HttpResponse:
    """At most eight active members, not suspended, whose username or display name
    starts with ``q`` (any case), as JSON: one query."""
    prefix = _prefix(request)
    if not prefix:
        return JsonResponse({"members": []})
    members = (
        User.objects.in_good_standing()
        .filter(Q(username__istartswith=prefix) | Q(display_name__istartswith=prefix))
        .only("username", "display_name", "avatar")
        .order_by(Lower("username"))[:LIMIT]
    )
    return JsonResponse(
        {
            "members": [
                {
                    "username": member.username,
                    "name": member.name,
                    "avatar": member.avatar.url if member.avatar else "",
                }
                for member in members
            ]
        }
    )
