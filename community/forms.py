from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from community.models import User, validate_birthday
from community.moderation.forms import canned_reason_field
from community.uploads import process_uploaded_image
from hearth.forms import LengthLimitsMixin
from hearth.i18n import language_name, time_zone_choices
from hearth.text import clean_line, clean_text

MONTH_CHOICES = [("", "—")] + [(str(i), MONTHS[i]) for i in range(1, 13)]
DAY_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(1, 32)]
BIO_MAX = 500


class ProfileForm(LengthLimitsMixin, forms.ModelForm):
    length_nouns = {"display_name": "A display name", "bio": "A bio"}

    # A plain FileField, not ImageField: our own checks give clearer messages and also
    # re-encode; Django's ImageField would decode the upload a second time.
    avatar_upload = forms.FileField(
        label=gettext_lazy("Avatar"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG or WebP, at most 5 MB and 40 megapixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_avatar = forms.BooleanField(label=gettext_lazy("Remove my avatar"), required=False)
    bio = forms.CharField(
        label=gettext_lazy("Short bio"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BIO_MAX}),
        help_text=format_lazy(gettext_lazy("At most {count} characters."), count=BIO_MAX),
    )
    birthday_month = forms.TypedChoiceField(
        label=gettext_lazy("Birthday month"),
        choices=MONTH_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    birthday_day = forms.TypedChoiceField(
        label=gettext_lazy("Birthday day"),
        choices=DAY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    # Choices are set per form: the languages on offer grow as catalogs are completed.
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        help_text=gettext_lazy("The site and its emails to you. Empty: your browser's language."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        required=False,
        help_text=gettext_lazy("For the times you read here and in emails. Empty: the site's."),
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "bio",
            "birthday_month",
            "birthday_day",
            "language",
            "time_zone",
            "email_on_mention",
            "greetings_by_email",
            "activity_public",
            "digest_emails",
            "message_emails",
        ]
        labels = {
            "display_name": gettext_lazy("Display name"),
            "greetings_by_email": gettext_lazy("Email me on my birthday and join anniversary"),
            "activity_public": gettext_lazy(
                "Show my activity (topics, replies, guides) to visitors"
            ),
            "digest_emails": gettext_lazy(
                "Email me what I missed when I have been away (at most weekly)"
            ),
            "message_emails": gettext_lazy(
                "Email me about private messages I have not read for 15 minutes"
            ),
        }
        help_texts = {
            "display_name": gettext_lazy("How your name appears to others. Optional."),
            "greetings_by_email": gettext_lazy(
                "The greeting always appears in your notifications."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language, time_zone = self.fields["language"], self.fields["time_zone"]
        assert isinstance(language, forms.ChoiceField) and isinstance(time_zone, forms.ChoiceField)
        if len(settings.LANGUAGES) > 1:
            language.choices = [("", gettext("Your browser's language"))] + [
                (code, language_name(code)) for code, _name in settings.LANGUAGES
            ]
        else:  # nothing to choose yet
            del self.fields["language"]
        time_zone.choices = [
            ("", gettext("The site's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE})
        ] + time_zone_choices()

    def clean_display_name(self) -> str:
        name = clean_line(self.cleaned_data.get("display_name"))
        if any(ch in name for ch in "<>"):
            raise ValidationError(_("Display names cannot contain < or >."))
        return name

    def clean_bio(self) -> str:
        # Its length limit (BIO_MAX, from the widget) is held by LengthLimitsMixin.
        return clean_text(self.cleaned_data.get("bio"))

    def clean_avatar_upload(self):
        upload = self.cleaned_data.get("avatar_upload")
        if not upload:
            return None
        return process_uploaded_image(upload, max_dimension=512)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        try:
            validate_birthday(cleaned.get("birthday_month"), cleaned.get("birthday_day"))
        except ValidationError as exc:
            self.add_error("birthday_day", exc)
        return cleaned

    def save(self, commit: bool = True) -> User:
        member: User = super().save(commit=False)
        new_avatar = self.cleaned_data.get("avatar_upload")
        old_avatar_name = member.avatar.name if member.avatar else ""
        if new_avatar:
            member.avatar.save(new_avatar.name, new_avatar, save=False)
        elif self.cleaned_data.get("remove_avatar"):
            member.avatar = ""
        if commit:
            member.save()
            if old_avatar_name and member.avatar.name != old_avatar_name:
                member.avatar.storage.delete(old_avatar_name)
        return member


class ModerateMemberForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"reason": "A reason"}

    ACTIONS = [
        ("silence", gettext_lazy("Silence (can read, cannot post or chat)")),
        ("suspend", gettext_lazy("Suspend (signed out, cannot sign in)")),
        ("lift", gettext_lazy("Lift suspension and silence")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    days = forms.IntegerField(min_value=1, max_value=3650, initial=7, required=False)
    rule = canned_reason_field(
        help_text=gettext_lazy("The member reads the rule's text in the notice.")
    )
    reason = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown to the member; when lifting, kept in the audit log."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        reason = (cleaned.get("reason") or "").strip()
        if cleaned.get("action") in ("silence", "suspend"):
            if not cleaned.get("days"):
                self.add_error("days", _("Say for how many days."))
            if not reason and not cleaned.get("rule"):
                self.add_error("reason", _("Give a reason; the member will see it."))
        elif cleaned.get("action") == "lift" and not reason:
            self.add_error("reason", _("Say why you lift it; the reason goes to the audit log."))
        return cleaned
