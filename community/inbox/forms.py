from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from hearth.forms import LengthLimitsMixin

REASON_MAX = 500


class DecideForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"reason": "A reason"}

    ref = forms.CharField(max_length=150)
    decision = forms.CharField(max_length=40)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=REASON_MAX, required=False)


class ClaimForm(forms.Form):
    ref = forms.CharField(max_length=150)
    action = forms.ChoiceField(
        choices=[("claim", gettext_lazy("Claim")), ("release", gettext_lazy("Release"))]
    )


class BulkForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"reason": "A reason"}

    items = forms.MultipleChoiceField(
        error_messages={"required": gettext_lazy("Select at least one item.")},
    )
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        error_messages={"invalid_choice": gettext_lazy("Choose a decision from the list.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("One reason for all of them"),
        max_length=REASON_MAX,
        required=False,
        help_text=gettext_lazy("Needed to hide or reject; every member concerned reads it."),
    )

    def __init__(self, *args: Any, decisions: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decision, items = self.fields["decision"], self.fields["items"]
        assert isinstance(decision, forms.ChoiceField) and isinstance(items, forms.ChoiceField)
        decision.choices = [("", "Choose…"), *decisions.items()]
        # Any ref is accepted here: the inbox checks each against its source.
        refs = self.data.getlist("items") if hasattr(self.data, "getlist") else []
        items.choices = [(ref, ref) for ref in refs]
