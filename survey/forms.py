from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from hearth.forms import LengthLimitsMixin

from .actions import REASON_MAX


class ScoreForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        error_messages={
            "required": gettext_lazy("Choose a score from 0 to 10."),
            "invalid_choice": gettext_lazy("Choose a score from 0 to 10."),
        },
    )


class ReasonForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"reason": gettext_lazy("A reason")}

    reason = forms.CharField(
        label=gettext_lazy("What is the main reason for your score?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("Write a few words, or leave the page: your score is saved.")
        },
    )
