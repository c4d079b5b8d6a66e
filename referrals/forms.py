from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hearth.forms import LengthLimitsMixin
from hearth.params import FIRST_YEAR
from referrals.dashboard import MAX_RANGE_DAYS, Span
from referrals.periods import ALL_TIME, Month, PeriodError, month_of, parse_month

_SPLIT_RE = re.compile(r"[\s,;]+")


class InviteForm(LengthLimitsMixin, forms.Form):
    length_nouns = {
        "emails": gettext_lazy("The list of addresses"),
        "note": gettext_lazy("A note"),
    }

    emails = forms.CharField(
        label=gettext_lazy("Friends' email addresses"),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        max_length=5000,
        help_text=gettext_lazy("One per line, or separated by commas."),
    )
    note = forms.CharField(
        label=gettext_lazy("A note from you (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("We put it in the email, above your link. At most 500 characters."),
    )

    def clean_emails(self) -> list[str]:
        raw = [part for part in _SPLIT_RE.split(self.cleaned_data["emails"]) if part]
        if not raw:
            raise ValidationError(_("Enter at least one email address."))
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
                ngettext(
                    "These are not email addresses: %(addresses)s. Check for typos.",
                    "These are not email addresses: %(addresses)s. Check for typos.",
                    len(bad),
                )
                % {"addresses": ", ".join(bad)}
            )
        limit = settings.REFERRAL_INVITES_PER_DAY
        if len(emails) > limit:
            raise ValidationError(
                ngettext(
                    "You can invite at most %(limit)s people a day; you entered %(count)s.",
                    "You can invite at most %(limit)s people a day; you entered %(count)s.",
                    limit,
                )
                % {"limit": limit, "count": len(emails)}
            )
        return emails


class ReviewForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"note": gettext_lazy("A note")}
    DECISIONS = [
        ("approve", gettext_lazy("Approve: it counts")),
        ("reject", gettext_lazy("Reject: it does not count")),
    ]
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=DECISIONS, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the member"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Required when rejecting: the member who made the referral reads it."
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Write a short note saying why it does not count."))
        return data


class ThankYouForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"message": gettext_lazy("A message")}

    message = forms.CharField(
        label=gettext_lazy("Your personal message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Emailed to the member as you write it, signed with your name."),
    )

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError(_("Write a message first."))
        return message


_DAY_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _parse_day(raw: str, which: str) -> date:
    """``raw`` ("YYYY-MM-DD") as a day from 1 January 2000 to today, or ValidationError."""
    shown = raw if len(raw) <= 20 else f"{raw[:20]}…"
    match = _DAY_RE.fullmatch(raw.strip())
    if not match:
        if which == "first":
            message = _("Give the first day as YYYY-MM-DD, for example 2026-04-01, not “%(raw)s”.")
        else:
            message = _("Give the last day as YYYY-MM-DD, for example 2026-04-01, not “%(raw)s”.")
        raise ValidationError(message % {"raw": shown})
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValidationError(
            _("%(day)s is not a day in the calendar.") % {"day": match[0]}
        ) from None
    if day.year < FIRST_YEAR:
        raise ValidationError(
            _("%(day)s is before this site existed; give a day from %(year)s on.")
            % {"day": match[0], "year": FIRST_YEAR}
        )
    today = timezone.localdate()
    if day > today:
        raise ValidationError(
            _("%(day)s has not come yet; give %(today)s or earlier.")
            % {"day": match[0], "today": today.isoformat()}
        )
    return day


class PeriodForm(forms.Form):
    """What the referral dashboard shows: ``period`` (a month "YYYY-MM" or "all"), or a
    range of days ``from`` … ``to``; nothing means the current month."""

    period = forms.CharField(label=gettext_lazy("Month"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two cannot be class attributes.
        self.fields["from"] = forms.CharField(label=_("From"), max_length=100, required=False)
        self.fields["to"] = forms.CharField(label=_("To"), max_length=100, required=False)

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
            raise ValidationError(_("Choose a month or a range of days, not both."))
        if self.errors:
            return data
        if asked_days:
            if first is None or last is None:
                raise ValidationError(_("Give both the first and the last day of the range."))
            if first > last:
                raise ValidationError(
                    _(
                        "The first day comes after the last day (%(first)s is later than "
                        "%(last)s); swap them."
                    )
                    % {"first": first.isoformat(), "last": last.isoformat()}
                )
            days = (last - first).days + 1
            if days > MAX_RANGE_DAYS:
                raise ValidationError(
                    ngettext(
                        "That range is %(days)s day long; a range can be at most %(limit)s "
                        "days. Choose All time to see everything.",
                        "That range is %(days)s days long; a range can be at most %(limit)s "
                        "days. Choose All time to see everything.",
                        days,
                    )
                    % {
                        "days": number_format(days, force_grouping=True),
                        "limit": MAX_RANGE_DAYS,
                    }
                )
            data["span"] = Span.of_days(first, last)
        elif period == ALL_TIME:
            data["span"] = Span.all_time()
        else:
            data["span"] = Span.of_month(period or month_of())
        return data
