from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from referrals.periods import PeriodError, parse_month

_SPLIT_RE = re.compile(r"[\s,;]+")


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="Friends' email addresses",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        max_length=5000,
        help_text="One per line, or separated by commas.",
    )
    note = forms.CharField(
        label="A note from you (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="We put it in the email, above your link. At most 500 characters.",
    )

    def clean_emails(self) -> list[str]:
        raw = [part for part in _SPLIT_RE.split(self.cleaned_data["emails"]) if part]
        if not raw:
            raise ValidationError("Enter at least one email address.")
        bad = []
        emails: list[str] = []
        for part in raw:
            address = part.strip().strip("<>").lower()
            try:
                validate_email(address)
            except ValidationError:
                bad.append(part[:60])
                continue
            if address not in emails:
                emails.append(address)
        if bad:
            raise ValidationError(
                "These are not email addresses: " + ", ".join(bad) + ". Check for typos."
            )
        limit = settings.REFERRAL_INVITES_PER_DAY
        if len(emails) > limit:
            raise ValidationError(
                f"You can invite at most {limit} people a day; you entered {len(emails)}."
            )
        return emails


class ReviewForm(forms.Form):
    DECISIONS = [("approve", "Approve: it counts"), ("reject", "Reject: it does not count")]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note to the member",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when rejecting: the member who made the referral reads it.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Write a short note saying why it does not count.")
        return data


class ThankYouForm(forms.Form):
    message = forms.CharField(
        label="Your personal message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Emailed to the member as you write it, signed with your name.",
    )

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError("Write a message first.")
        return message


class PeriodForm(forms.Form):
    period = forms.CharField(label="Month", max_length=7, required=False)

    def clean_period(self):
        value = self.cleaned_data.get("period") or ""
        if not value:
            return None
        try:
            return parse_month(value)
        except PeriodError as exc:
            raise ValidationError(str(exc)) from None
