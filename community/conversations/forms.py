from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from community.models import User
from hearth.forms import LengthLimitsMixin
from hearth.text import clean_text

from .models import MAX_MEMBERS, MESSAGE_MAX_LENGTH, MessageFlag

_NAME_SPLIT = re.compile(r"[\s,;]+")
_USERNAME = re.compile(r"[a-z0-9_]{3,30}")
# More names than a conversation can hold is refused by the action with its rule; this
# only keeps a pasted list from turning into a huge lookup.
_MAX_NAMES = 50


class BodyForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"body": "A message"}

    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Plain text; @mentions and links work."),
        error_messages={
            "required": gettext_lazy("Write something first: a message cannot be empty.")
        },
    )

    def clean_body(self) -> str:
        body = clean_text(self.cleaned_data["body"])
        if not body:
            raise ValidationError(_("Write something first: a message cannot be empty."))
        return body


class NewConversationForm(BodyForm):
    recipients = forms.CharField(
        label=gettext_lazy("To"),
        max_length=400,
        help_text=format_lazy(
            gettext_lazy("Usernames, separated by commas or spaces (up to {count})."),
            count=MAX_MEMBERS - 1,
        ),
        error_messages={"required": gettext_lazy("Name at least one member to message.")},
    )
    length_nouns = {"body": "A message", "recipients": "The list of names"}

    field_order = ["recipients", "body"]

    def clean_recipients(self) -> list[User]:
        raw = self.cleaned_data["recipients"]
        names: dict[str, str] = {}
        for name in _NAME_SPLIT.split(raw):
            name = name.strip().lstrip("@")
            if name:
                names.setdefault(name.lower(), name)
        if not names:
            raise ValidationError(_("Name at least one member to message."))
        if len(names) > _MAX_NAMES:
            raise ValidationError(
                ngettext(
                    "Name at most %(count)d member.",
                    "Name at most %(count)d members.",
                    MAX_MEMBERS - 1,
                )
                % {"count": MAX_MEMBERS - 1}
            )
        lookup = Q()
        for key in names:
            if _USERNAME.fullmatch(key):  # anything else cannot be a username
                lookup |= Q(username__iexact=key)
        found = (
            {user.username.lower(): user for user in User.objects.filter(lookup, is_active=True)}
            if lookup
            else {}
        )
        unknown = [name for key, name in names.items() if key not in found]
        if unknown:
            listed = ", ".join(f"@{name}" for name in unknown)
            raise ValidationError(
                _("No member is called %(names)s. Check the spelling.") % {"names": listed}
            )
        return [found[key] for key in names]


class FlagForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"text": "A note"}

    reason = forms.ChoiceField(
        label=gettext_lazy("Why are you flagging this message?"),
        choices=MessageFlag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose why you flag this message.")},
    )
    text = forms.CharField(
        label=gettext_lazy("Anything the moderators should know? (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
