from __future__ import annotations

from django import forms

from hearth.forms import LengthLimitsMixin

from .actions import REASON_MAX


class ScoreForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        error_messages={
            "required": "Choose a score from 0 to 10.",
            "invalid_choice": "Choose a score from 0 to 10.",
        },
    )


class ReasonForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"reason": "A reason"}

    reason = forms.CharField(
        label="What is the main reason for your score?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write a few words, or leave the page: your score is saved."},
    )
