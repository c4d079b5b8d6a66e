from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from community import segments
from recognition.models import Challenge, badge_choices


def _badge_options() -> list[tuple[str, str]]:
    return [("", _("No badge")), *badge_choices()]


class ChallengeForm(WagtailAdminModelForm):
    """The editors' challenge form; bad dates and goals come back as field errors
    (``Challenge.clean`` and the field validators)."""

    # Read when the form is drawn: apps register segments and badges at start-up.
    audience = forms.ChoiceField(
        choices=segments.choices,
        initial="all",
        label=gettext_lazy("Audience"),
        help_text=gettext_lazy("Who sees the challenge and can complete it."),
    )
    reward_badge = forms.ChoiceField(
        choices=_badge_options,
        required=False,
        label=gettext_lazy("Reward badge"),
        help_text=gettext_lazy("Optional badge given on completion (kept if already earned)."),
    )

    class Meta:
        model = Challenge
        fields = [
            "title",
            "description",
            "starts_on",
            "ends_on",
            "action",
            "key_contains",
            "goal",
            "reward_points",
            "reward_badge",
            "audience",
        ]
