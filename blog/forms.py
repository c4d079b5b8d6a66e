from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.images import get_image_model

from blog.choices import Difficulty
from blog.markup import MAX_SOURCE_LENGTH, source_to_blocks
from community import trust
from community.models import User
from community.uploads import process_uploaded_image
from hearth import content_language
from hearth.forms import LengthLimitsMixin
from hearth.text import clean_line

MAX_TAGS = 5
MAX_TAG_LENGTH = 40
MAX_CO_AUTHORS = 3
GUIDE_IMAGE_MAX_DIMENSION = 2400

BODY_HELP = gettext_lazy(
    "Write in Markdown. ## starts a heading, 1. starts a numbered step, > starts a tip, "
    "``` opens and closes a block of code. Images you add below appear as "
    "![description](image:12) lines you can move."
)


def _split_list(value: str) -> list[str]:
    return [part for part in (clean_line(p) for p in value.split(",")) if part]


class GuideForm(LengthLimitsMixin, forms.Form):
    length_nouns = {
        "title": gettext_lazy("A title"),
        "summary": gettext_lazy("A summary"),
        "tags": gettext_lazy("The tags"),
        "co_authors": gettext_lazy("The list of co-authors"),
        "body": gettext_lazy("A guide"),
        "image_alt": gettext_lazy("An image description"),
        "image_caption": gettext_lazy("A caption"),
    }

    title = forms.CharField(label=gettext_lazy("Title"), max_length=120, min_length=5)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        help_text=gettext_lazy("One or two sentences: what will the reader be able to do?"),
    )
    difficulty = forms.ChoiceField(
        label=gettext_lazy("Difficulty"), choices=Difficulty.choices, initial=Difficulty.BEGINNER
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of your guide"),
        required=False,
        help_text=gettext_lazy(
            "The language you write in. The guide stays in it, and readers can find it by it."
        ),
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=250,
        help_text=format_lazy(
            gettext_lazy("Up to {count} tags, separated by commas (for example: baking, bread)."),
            count=MAX_TAGS,
        ),
    )
    co_authors = forms.CharField(
        label=gettext_lazy("Co-authors"),
        required=False,
        max_length=200,
        help_text=format_lazy(
            gettext_lazy(
                "Usernames of up to {count} members who helped, separated by commas. "
                "They are credited on the guide."
            ),
            count=MAX_CO_AUTHORS,
        ),
    )
    body = forms.CharField(
        label=gettext_lazy("Guide"),
        max_length=MAX_SOURCE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 22, "class": "guide-editor__body"}),
        help_text=BODY_HELP,
    )
    image = forms.FileField(
        label=gettext_lazy("Add an image"),
        required=False,
        help_text=gettext_lazy(
            "JPEG, PNG or WebP, at most 5 MB and 40 megapixels. It is added at the end."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt = forms.CharField(
        label=gettext_lazy("Image description (alt text)"),
        required=False,
        max_length=250,
        help_text=gettext_lazy(
            "What the image shows, for people who cannot see it. Required with an image."
        ),
    )
    image_caption = forms.CharField(
        label=gettext_lazy("Image caption"), required=False, max_length=250
    )

    def __init__(self, *args, author: User, allowed_image_ids: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author
        # The offered languages change with the catalogs, so the choices are set here.
        cast(forms.ChoiceField, self.fields["language"]).choices = content_language.choices()
        self.initial.setdefault("language", content_language.current())
        self.allowed_image_ids = set(allowed_image_ids or ())
        self.allowed_image_ids |= set(
            get_image_model().objects.filter(uploaded_by_user=author).values_list("pk", flat=True)
        )

    def _clean_line(self, name: str) -> str:
        # The limits apply to what is left once the cleaner dropped what no one sees.
        field = self.fields[name]
        value = clean_line(self.cleaned_data.get(name))
        if not value and field.required:
            raise ValidationError(field.error_messages["required"], code="required")
        field.run_validators(value)
        return value

    def clean_title(self) -> str:
        return self._clean_line("title")

    def clean_summary(self) -> str:
        return self._clean_line("summary")

    def clean_tags(self) -> list[str]:
        tags: list[str] = []
        for name in _split_list(self.cleaned_data.get("tags", "").lower()):
            if len(name) > MAX_TAG_LENGTH:
                raise ValidationError(
                    _("“%(start)s…” is too long for a tag (%(limit)s max).")
                    % {"start": name[:20], "limit": MAX_TAG_LENGTH}
                )
            if not slugify(name):
                raise ValidationError(
                    _("“%(name)s” needs at least one letter or digit to be a tag.") % {"name": name}
                )
            if name not in tags:
                tags.append(name)
        if len(tags) > MAX_TAGS:
            raise ValidationError(
                ngettext(
                    "Use at most %(limit)s tags; you gave %(count)s.",
                    "Use at most %(limit)s tags; you gave %(count)s.",
                    len(tags),
                )
                % {"limit": MAX_TAGS, "count": len(tags)}
            )
        return tags

    def clean_co_authors(self) -> list[User]:
        usernames: list[str] = []
        for name in _split_list(self.cleaned_data.get("co_authors", "")):
            name = name.lstrip("@")
            if name.lower() not in (u.lower() for u in usernames):
                usernames.append(name)
        if len(usernames) > MAX_CO_AUTHORS:
            raise ValidationError(
                ngettext(
                    "Credit at most %(limit)s co-author.",
                    "Credit at most %(limit)s co-authors.",
                    MAX_CO_AUTHORS,
                )
                % {"limit": MAX_CO_AUTHORS}
            )
        people = []
        unknown = []
        for name in usernames:
            member = User.objects.in_good_standing().filter(username__iexact=name).first()
            if member is None:
                unknown.append(name)
            elif member.pk == self.author.pk:
                raise ValidationError(_("You are the author already; list only the others."))
            else:
                people.append(member)
        if unknown:
            raise ValidationError(
                ngettext(
                    "No member has the username %(names)s.",
                    "No member has the username %(names)s.",
                    len(unknown),
                )
                % {"names": ", ".join(f"“{n}”" for n in unknown)}
            )
        return people

    def clean_body(self) -> list[dict]:
        return source_to_blocks(self.cleaned_data["body"], allowed_image_ids=self.allowed_image_ids)

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        if not trust.may_attach_images(self.author):
            raise ValidationError(
                _("New members cannot add images yet. %(next_unlock)s")
                % {"next_unlock": trust.next_unlock(self.author)}
            )
        return process_uploaded_image(upload, max_dimension=GUIDE_IMAGE_MAX_DIMENSION)

    def clean_image_alt(self) -> str:
        return self._clean_line("image_alt")

    def clean_image_caption(self) -> str:
        return self._clean_line("image_caption")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("image") and not cleaned.get("image_alt"):
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        if self.files.get("image") and self.errors:
            # A browser cannot refill a file input: say so rather than lose it silently.
            self.add_error(
                "image",
                _("Your image was not saved because of the errors above; choose it again."),
            )
        return cleaned
