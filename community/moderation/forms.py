from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.moderation.models import TEXT_MAX_LENGTH, Appeal, CannedReason
from hearth.forms import LengthLimitsMixin


class AppealForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"text": "An appeal"}

    text = forms.CharField(
        label=gettext_lazy("Why should a moderator look at this again?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX_LENGTH}),
        help_text=gettext_lazy(
            "A moderator other than the one who gave it reads your appeal and replies."
        ),
        error_messages={"required": gettext_lazy("Tell the moderators why, in a few words.")},
    )


class DecideAppealForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"reply": "A reply"}

    decision = forms.ChoiceField(
        choices=[
            ("uphold", gettext_lazy("Uphold: the penalty stands")),
            ("shorten", gettext_lazy("Shorten: it ends earlier")),
            ("lift", gettext_lazy("Lift: it ends now")),
        ],
        widget=forms.RadioSelect,
    )
    new_ends_at = forms.DateTimeField(
        label=gettext_lazy("New end (for shorten)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reply = forms.CharField(
        label=gettext_lazy("Reply to the member"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write a reply: the member reads it.")},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == Appeal.Decision.SHORTEN and not cleaned.get("new_ends_at"):
            self.add_error("new_ends_at", _("Choose when the shortened penalty ends."))
        return cleaned

    @property
    def new_end(self) -> datetime | None:
        value = self.cleaned_data.get("new_ends_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class LiftPenaltyForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"reason": "A reason"}

    reason = forms.CharField(
        label=gettext_lazy("Why lift it?"),
        max_length=300,
        help_text=gettext_lazy("Kept on the penalty and in the audit log."),
        error_messages={
            "required": gettext_lazy("Say why you lift it; the reason goes to the audit log.")
        },
    )


class StaffNoteForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"text": "A note"}

    text = forms.CharField(
        label=gettext_lazy("Private note (moderators only)"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write the note first.")},
    )


def canned_reason_field(**kwargs) -> forms.ModelChoiceField:
    """The rule a moderator cites when penalising (optional; free text goes beside it)."""
    return forms.ModelChoiceField(
        label=gettext_lazy("Rule broken"),
        queryset=CannedReason.objects.filter(active=True),
        required=False,
        empty_label=gettext_lazy("— none —"),
        **kwargs,
    )
