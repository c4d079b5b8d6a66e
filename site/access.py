"""Answers for a visitor who asked for something only members may read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_noop

# Marked here, translated when shown (the reader's language).
MEMBERS_ONLY = gettext_noop("This is for members — sign in or join to read it.")


def sign_in_for_members(request: HttpRequest) -> HttpResponse:
    """Send the visitor to sign in, and say why there (and bring them back after)."""
    messages.info(request, gettext(MEMBERS_ONLY))
    return redirect_to_login(request.get_full_path())
