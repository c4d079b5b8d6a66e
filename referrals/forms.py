from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from hearth.forms import LengthLimitsMixin
from hearth.params import FIRST_YEAR
from referrals.dashboard import MAX_RANGE_DAYS, Span
from referrals.periods import ALL_TIME, Month, PeriodError, month_of, parse_month

_SPLIT_RE = re.compile(r"[\s,;]+")


class InviteForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"emails": "The list of addresses", "note": "A note"}

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


class ReviewForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"note": "A note"}
    DECISIONS = [("approve", "Approve: it counts"), ("reject", "Reject: it does not count")]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note to the member",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when rejecting: the member who made the referral reads it.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Write a short note saying why it does not count.")
        return data


class ThankYouForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"message": "A message"}

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


_DAY_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _parse_day(raw: str, which: str) -> date:
    """``raw`` ("YYYY-MM-DD") as a day from 1 January 2000 to today, or ValidationError."""
    shown = raw if len(raw) <= 20 else f"{raw[:20]}…"
    match = _DAY_RE.fullmatch(raw.strip())
    if not match:
        raise ValidationError(
            f"Give the {which} day as YYYY-MM-DD, for example 2026-04-01, not “{shown}”."
        )
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValidationError(f"{match[0]} is not a day in the calendar.") from None
    if day.year < FIRST_YEAR:
        raise ValidationError(
            f"{match[0]} is before this site existed; give a day from {FIRST_YEAR} on."
        )
    today = timezone.localdate()
    if day > today:
        raise ValidationError(f"{match[0]} has not come yet; give {today.isoformat()} or earlier.")
    return day


class PeriodForm(forms.Form):
    """What the referral dashboard shows: ``period`` (a month "YYYY-MM" or "all"), or a
    range of days ``from`` … ``to``; nothing means the current month."""

    period = forms.CharField(label="Month", max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two cannot be class attributes.
        self.fields["from"] = forms.CharField(label="From", max_length=100, required=False)
        self.fields["to"] = forms.CharField(label="To", max_length=100, required=False)

    def clean_period(self) -> Month | str | None:
        value = (self.cleaned_data.get("period") or "").strip()
        if not value:
            return None
        if value == ALL_TIME:
            return ALL_TIME
        try:
            return parse_month(value)
        except PeriodError as exc:
            raise ValidationError(str(exc)) from None

    def clean_from(self) -> date | None:
        value = self.cleaned_data.get("from") or ""
        return _parse_day(value, "first") if value.strip() else None

    def clean_to(self) -> date | None:
        value = self.cleaned_data.get("to") or ""
        return _parse_day(value, "last") if value.strip() else None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        period, first, last = data.get("period"), data.get("from"), data.get("to")
        asked_days = any((self.data.get(name) or "").strip() for name in ("from", "to"))
        if period is not None and asked_days:
            raise ValidationError("Choose a month or a range of days, not both.")
        if self.errors:
            return data
        if asked_days:
            if first is None or last is None:
                raise ValidationError("Give both the first and the last day of the range.")
            if first > last:
                raise ValidationError(
                    f"The first day comes after the last day ({first.isoformat()} is later "
                    f"than {last.isoformat()}); swap them."
                )
            days = (last - first).days + 1
            if days > MAX_RANGE_DAYS:
                raise ValidationError(
                    f"That range is {days:,} days long; a range can be at most "
                    f"{MAX_RANGE_DAYS} days. Choose All time to see everything."
                )
            data["span"] = Span.of_days(first, last)
        elif period == ALL_TIME:
            data["span"] = Span.all_time()
        else:
            data["span"] = Span.of_month(period or month_of())
        return data
