from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.forms import ValidationError
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.moderation.actions import suspension_notice_path
from hearth.i18n import offered
from hearth.mail import queue_email

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _window_seconds(rate: str) -> int:
    """How long one allauth rate ("5/5m/key") remembers an attempt, in seconds."""
    duration = rate.split("/")[1]
    amount = duration[:-1]
    return int(float(amount or 1) * _UNITS[duration[-1]])


def login_wait_seconds() -> int:
    """After this long every failed sign-in the limits remember has been forgotten: the
    longest window of ``ACCOUNT_RATE_LIMITS["login_failed"]``."""
    rates = (getattr(settings, "ACCOUNT_RATE_LIMITS", {}) or {}).get("login_failed") or ""
    return max((_window_seconds(rate) for rate in rates.split(",") if rate.strip()), default=60)


class AccountAdapter(DefaultAccountAdapter):
    def validation_error(self, code, *args) -> ValidationError:
        if code == "too_many_login_attempts":
            # allauth says "Try again later."; a member wants to know when.
            minutes = max(1, round(login_wait_seconds() / 60))
            again = timezone.localtime(timezone.now() + timedelta(minutes=minutes))
            wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
            return ValidationError(
                _("Too many failed login attempts. You can try again in %(wait)s, at %(time)s.")
                % {"wait": wait, "time": f"{again:%H:%M}"},
                code=code,
            )
        return super().validation_error(code, *args)

    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "SIGNUP_OPEN", True)

    def clean_username(self, username: str, shallow: bool = False) -> str:
        username = super().clean_username(username, shallow=shallow)
        if username.lower() in {"me", "admin", "hearth", "moderator", "editor", "staff", "suggest"}:
            raise ValidationError(_("That username is reserved. Choose another."))
        return username

    def save_user(self, request, user, form, commit: bool = True):
        # Whoever signs up in Estonian is written to in Estonian later too (digests, the
        # survey, notifications), without looking for the setting. Signing up in the
        # site's own language leaves the choice open: requests follow the browser.
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or ""
        if not user.language and offered(language) and language != settings.LANGUAGE_CODE:
            user.language = language
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's own send_mail, except that the rendered message goes to the task queue.
        request = allauth_context.request
        site = get_current_site(request)
        context = {
            "request": request,
            "email": email,
            # allauth's emails greet "from {{ current_site.name }}": the community's name,
            # not the host it happens to be served from.
            "current_site": SimpleNamespace(name=settings.SITE_NAME, domain=site.domain),
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
                _("Your account is suspended until %(date)s.")
                % {"date": date_format(user.suspended_until, "d F Y")},
            )
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)
