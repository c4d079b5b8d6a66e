from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.forms import ValidationError
from django.shortcuts import redirect

from community.moderation.actions import suspension_notice_path
from hearth.mail import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "SIGNUP_OPEN", True)

    def clean_username(self, username: str, shallow: bool = False) -> str:
        username = super().clean_username(username, shallow=shallow)
        if username.lower() in {"me", "admin", "hearth", "moderator", "editor", "staff"}:
            raise ValidationError("That username is reserved. Choose another.")
        return username

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's own send_mail, except that the rendered message goes to the task queue.
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        alternatives = getattr(message, "alternatives", [])
        html = next((content for content, kind in alternatives if kind == "text/html"), None)
        queue_email(
            subject=message.subject,
            body=message.body,
            to=message.to,
            from_email=message.from_email,
            html=html,
            headers=message.extra_headers or None,
            after_commit=False,
        )

    def pre_login(self, request, user, **kwargs):
        if getattr(user, "is_suspended", False):
            # The password was right: show the suspension itself (why, until when, the
            # appeal) through its signed link, since a suspended member stays signed out.
            notice = suspension_notice_path(user)
            if notice:
                return redirect(notice)
            messages.error(
                request,
                f"Your account is suspended until {user.suspended_until:%d %B %Y}.",
            )
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)
