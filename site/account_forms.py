"""Allauth's forms under Hearth's length rule (``settings.ACCOUNT_FORMS`` names them):
no ``maxlength`` for the browser to cut a pasted username or address at, a counter near
the limit, and the server's own refusal (:class:`hearth.forms.LengthLimitsMixin`)."""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy

from hearth.forms import LengthLimitsMixin

_ADDRESS = {"email": gettext_lazy("An email address")}


class LoginForm(LengthLimitsMixin, allauth_forms.LoginForm):
    length_nouns = {"login": gettext_lazy("An email address")}


class SignupForm(LengthLimitsMixin, allauth_forms.SignupForm):
    length_nouns = {**_ADDRESS, "username": gettext_lazy("A username")}


class ResetPasswordForm(LengthLimitsMixin, allauth_forms.ResetPasswordForm):
    length_nouns = _ADDRESS


class AddEmailForm(LengthLimitsMixin, allauth_forms.AddEmailForm):
    length_nouns = _ADDRESS


class ChangeEmailForm(LengthLimitsMixin, allauth_forms.ChangeEmailForm):
    length_nouns = _ADDRESS
