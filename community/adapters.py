from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.forms import ValidationError


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "SIGNUP_OPEN", True)

    def clean_username(self, username: str, shallow: bool = False) -> str:
        username = super().clean_username(username, shallow=shallow)
        if username.lower() in {"me", "admin", "hearth", "moderator", "editor", "staff"}:
            raise ValidationError("That username is reserved. Choose another.")
        return username

    def pre_login(self, request, user, **kwargs):
        if getattr(user, "is_suspended", False):
            from django.contrib import messages
            from django.shortcuts import redirect

            messages.error(
                request,
                f"Your account is suspended until {user.suspended_until:%d %B %Y}.",
            )
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)
