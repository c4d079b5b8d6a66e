from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from community.notifications import bell_count


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = bell_count(user.pk)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "BASE_URL": settings.BASE_URL,
        "unread_notifications": unread,
    }
