"""Forum forms. The posting rules themselves live in actions.rules; a form holds its
fields to them (``_check``) so a refusal shows beside the field that caused it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from community import trust
from community.models import REACTION_CHOICES
from community.uploads import process_uploaded_image
from hearth import content_language
from hearth.forms import LengthLimitsMixin, model_choice_field, too_long_message
from hearth.params import parse_int
from hearth.rules import RuleError, add_to_form
from hearth.text import clean_line

from . import actions
from .actions.rules import check_images
from .models import Category, FlagOutcome, FlagReason, TopicTag

IMAGE_MAX_DIMENSION = 2000
IMAGE_ALT_MAX = 200


class MultipleImagesInput(forms.FileInput):
    """One ``<input type="file" multiple>``: static/js/images.js adds pasted and dropped
    images to its files; without JavaScript the member picks several at once."""

    allow_multiple_selected = True


class MultipleImagesField(forms.FileField):
    """Every file sent under the field's name, each checked as a file (the images
    themselves are checked by the form, which knows the limits)."""

    widget = MultipleImagesInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleImagesInput(
                attrs={
                    "accept": "image/jpeg,image/png,image/webp",
                    "data-images": "",
                    "data-max-files": actions.MAX_IMAGES,
                    "data-max-bytes": settings.UPLOAD_MAX_BYTES,
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleImagesField, self).clean(upload, initial) for upload in uploads]


class _RulesMixin(LengthLimitsMixin, forms.Form):
    length_nouns = {
        "title": "A title",
        "body": "A post",
        "image_alt": "An image description",
        "new_tags": "The new tags",
        "reason": "A reason",
    }

    def _check(self, field: str, rule: Callable[[Any], Any]) -> None:
        """Hold a cleaned field to a forum rule; the rule's refusal becomes its error."""
        if field not in self.cleaned_data:
            return
        try:
            self.cleaned_data[field] = rule(self.cleaned_data[field])
        except RuleError as error:
            add_to_form(self, error, field)


class _BodyMixin(_RulesMixin):
    body = forms.CharField(
        label=gettext_lazy("Your post"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": actions.MAX_POST_CHARS}),
        help_text=gettext_lazy(
            "Markdown: **bold**, _italic_, > quote, - lists, `code`, [links](https://…). "
            "Mention someone with @username."
        ),
        error_messages={"required": gettext_lazy("Write something first: the post is empty.")},
    )
    images = MultipleImagesField(
        label=gettext_lazy("Attach images"),
        required=False,
        help_text=format_lazy(
            gettext_lazy(
                "Optional: up to {count}. JPEG, PNG or WebP, each at most 5 MB and 40 megapixels. "
                "You can also paste or drop images onto your post."
            ),
            count=actions.MAX_IMAGES,
        ),
    )
    image_alt = forms.CharField(
        label=gettext_lazy("Describe the images"),
        required=False,
        max_length=(IMAGE_ALT_MAX + 1) * actions.MAX_IMAGES,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "For people who cannot see them: one line per image, in the order you "
            "chose them, e.g. “A loaf with a dark, crackly crust”."
        ),
    )

    def __init__(self, *args, member=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # New members (trust level 0) cannot attach images: no field they cannot use, and
        # an image sent anyway is refused with the rule's reason, not dropped unseen.
        self.member = member
        self.images_locked = member is not None and not trust.may_attach_images(member)
        if self.images_locked:
            del self.fields["images"]
            del self.fields["image_alt"]
        # A form rendered before images became several (an open tab, a cached copy of
        # the topic page's reply box) still sends one "image": take it as the first.
        if self.is_bound and self.files.get("image") and not self.files.get("images"):
            self.files = self.files.copy()
            self.files.setlist("images", self.files.getlist("image"))

    def clean_images(self) -> list[ContentFile]:
        uploads = self.cleaned_data.get("images") or []
        if len(uploads) > actions.MAX_IMAGES:
            names = ", ".join(_file_name(upload) for upload in uploads)
            raise ValidationError(
                ngettext(
                    "A post takes at most %(limit)d image, and you chose %(count)d "
                    "(%(names)s). Leave some out.",
                    "A post takes at most %(limit)d images, and you chose %(count)d "
                    "(%(names)s). Leave some out.",
                    actions.MAX_IMAGES,
                )
                % {"limit": actions.MAX_IMAGES, "count": len(uploads), "names": names}
            )
        images, errors = [], []
        for upload in uploads:
            try:
                images.append(process_uploaded_image(upload, max_dimension=IMAGE_MAX_DIMENSION))
            except ValidationError as error:
                # Which file: the member may have chosen several.
                errors += [f"“{_file_name(upload)}”: {message}" for message in error.messages]
        if errors:
            raise ValidationError(errors)
        return images

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self._check("body", actions.checked_body)
        images = cleaned.get("images") or []
        alts = [clean_line(line) for line in (cleaned.get("image_alt") or "").splitlines()]
        alts = [alt for alt in alts if alt]
        cleaned["image_alts"] = alts
        if images and len(alts) < len(images):
            self.add_error("image_alt", _missing_descriptions(len(images), len(alts)))
        for number, alt in enumerate(alts[: len(images)], start=1):
            if len(alt) > IMAGE_ALT_MAX:
                self.add_error(
                    "image_alt",
                    too_long_message(IMAGE_ALT_MAX, len(alt), f"Image {number}’s description"),
                )
        sent = self.files.getlist("images") if self.files else []
        if self.images_locked and sent:
            try:
                check_images(self.member, sent)
            except RuleError as error:
                add_to_form(self, error)
        return cleaned

    def attachments(self) -> list[actions.ImageAttachment]:
        images = self.cleaned_data.get("images") or []
        alts = self.cleaned_data.get("image_alts") or []
        return [
            actions.ImageAttachment(content=image, alt_text=alt)
            for image, alt in zip(images, alts, strict=False)
        ]


def _file_name(upload: Any) -> str:
    """The name the member's computer gave the file, short enough for a sentence."""
    name = str(getattr(upload, "name", "") or "the file")
    return name if len(name) <= 60 else name[:57] + "…"


def _missing_descriptions(images: int, descriptions: int) -> str:
    if images == 1:
        return _("Describe the image in a few words.")
    return ngettext(
        "Describe each image in a few words, one line per image: %(images)d images, "
        "%(descriptions)d description.",
        "Describe each image in a few words, one line per image: %(images)d images, "
        "%(descriptions)d descriptions.",
        descriptions,
    ) % {"images": images, "descriptions": descriptions}


class _TagsMixin(_RulesMixin):
    tags = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Tags"),
        queryset=TopicTag.objects.none(),
        to_field_name="name",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=format_lazy(gettext_lazy("Pick up to {count}."), count=actions.MAX_TAGS),
    )
    new_tags = forms.CharField(
        label=gettext_lazy("New tags"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Moderators only: new tags, separated by commas."),
    )

    def _setup_tags(self, member) -> None:
        model_choice_field(self, "tags").queryset = TopicTag.objects.order_by("name")
        if not member.is_moderator:
            del self.fields["new_tags"]

    def tag_names(self) -> list[str]:
        names = [tag.name for tag in self.cleaned_data.get("tags") or []]
        names += (self.cleaned_data.get("new_tags") or "").split(",")
        return [name for name in names if name.strip()]

    def _check_tags(self) -> None:
        # New tags are checked on their own first, so their error shows beside them (and
        # leaves them out of the count that follows).
        self._check("new_tags", _checked_new_tags)
        if "tags" in self.cleaned_data:
            try:
                actions.normalise_tag_names(self.tag_names())
            except RuleError as error:
                add_to_form(self, error, "tags")


def _checked_new_tags(raw: str) -> str:
    actions.normalise_tag_names(raw.split(","))
    return raw


class TopicForm(_TagsMixin, _BodyMixin):
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.none(), to_field_name="slug"
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=actions.TITLE_MAX,
        help_text=gettext_lazy("A short sentence that says what the topic is about."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of your topic"),
        required=False,
        help_text=gettext_lazy(
            "The language you write in. Replies stay in it, and readers can find the topic by it."
        ),
    )
    field_order = [
        "category",
        "title",
        "language",
        "body",
        "tags",
        "new_tags",
        "images",
        "image_alt",
    ]

    def __init__(self, *args, member, **kwargs) -> None:
        super().__init__(*args, member=member, **kwargs)
        allowed = [c.pk for c in Category.objects.all() if c.may_start_topic(member)]
        self.categories = Category.objects.filter(pk__in=allowed)
        model_choice_field(self, "category").queryset = self.categories
        self._setup_tags(member)
        # The offered languages change with the catalogs, so the choices are set here.
        cast(forms.ChoiceField, self.fields["language"]).choices = content_language.choices()
        if not self.initial.get("language"):
            category = self.categories.filter(slug=self.initial.get("category") or "").first()
            self.initial["language"] = actions.topic_language(category)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self._check("title", actions.checked_title)
        self._check_tags()
        return cleaned


class ReplyForm(_BodyMixin):
    # The post this reply answers (set by its "Reply" button). Not a number, or a post
    # gone meanwhile: the reply still goes in, without the link.
    reply_to = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def clean_reply_to(self) -> int | None:
        try:
            return parse_int(self.cleaned_data.get("reply_to") or "", minimum=1)
        except ValueError:
            return None


class EditPostForm(_TagsMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=actions.TITLE_MAX)
    body = forms.CharField(
        label=gettext_lazy("Post"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": actions.MAX_POST_CHARS}),
        error_messages={"required": gettext_lazy("Write something first: the post is empty.")},
    )

    def __init__(self, *args, member, opening: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.opening = opening
        if opening:
            self._setup_tags(member)
        else:
            for name in ("title", "tags", "new_tags"):
                self.fields.pop(name, None)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self._check("body", actions.checked_body)
        if self.opening:
            self._check("title", actions.checked_title)
            self._check_tags()
        return cleaned


_CHOOSE_A_REACTION = gettext_lazy("Choose one of the reactions shown.")


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=REACTION_CHOICES,
        error_messages={"required": _CHOOSE_A_REACTION, "invalid_choice": _CHOOSE_A_REACTION},
    )


class FlagForm(LengthLimitsMixin, forms.Form):
    length_nouns = {"text": "Your note"}

    reason = forms.ChoiceField(
        label=gettext_lazy("What is wrong with this post?"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("Tell the moderators more"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text=gettext_lazy("Required for “Something else”."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("reason") == FlagReason.OTHER and not clean_line(cleaned.get("text")):
            self.add_error("text", _("Say in a few words what is wrong with this post."))
        return cleaned


class _HideReasonMixin(_RulesMixin):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=actions.REASON_MAX, required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == "hide":
            self._check("reason", actions.checked_reason)
        return cleaned


class TopicModerationForm(_HideReasonMixin):
    ACTIONS = [
        ("pin", gettext_lazy("Pin")),
        ("unpin", gettext_lazy("Unpin")),
        ("lock", gettext_lazy("Lock")),
        ("unlock", gettext_lazy("Unlock")),
        ("hide", gettext_lazy("Hide")),
        ("unhide", gettext_lazy("Unhide")),
        ("move", gettext_lazy("Move")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Move to"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
    )
    field_order = ["action", "reason", "category"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == "move" and not cleaned.get("category"):
            self.add_error("category", _("Choose the category to move the topic to."))
        return cleaned


class PostModerationForm(_HideReasonMixin):
    action = forms.ChoiceField(
        choices=[("hide", gettext_lazy("Hide")), ("unhide", gettext_lazy("Unhide"))]
    )
    field_order = ["action", "reason"]


_CHOOSE_AN_OUTCOME = gettext_lazy("Choose “hide” or “dismiss”.")


class ResolveFlagsForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (FlagOutcome.HIDDEN, gettext_lazy("Hide the post")),
            (FlagOutcome.DISMISSED, gettext_lazy("Dismiss")),
        ],
        error_messages={"required": _CHOOSE_AN_OUTCOME, "invalid_choice": _CHOOSE_AN_OUTCOME},
    )


_CHOOSE_WATCHING = gettext_lazy("Choose whether to watch the topic.")


class WatchForm(forms.Form):
    watching = forms.TypedChoiceField(
        choices=[("on", gettext_lazy("Watch")), ("off", gettext_lazy("Stop watching"))],
        coerce=lambda v: v == "on",
        error_messages={"required": _CHOOSE_WATCHING, "invalid_choice": _CHOOSE_WATCHING},
    )


class NotificationEmailsForm(forms.Form):
    """Which forum notifications also come by email (the forum's preferences page; the
    bell rings for all of them anyway)."""

    mentions = forms.BooleanField(label=gettext_lazy("Someone mentions me"), required=False)
    answers = forms.BooleanField(
        label=gettext_lazy("Someone answers one of my posts"), required=False
    )
    watched_posts = forms.BooleanField(
        label=gettext_lazy("A new post in a topic I watch"), required=False
    )
    watched_topics = forms.BooleanField(
        label=gettext_lazy("A new topic in a category or tag I watch"), required=False
    )


_CHOOSE_A_REMINDER = gettext_lazy("Choose when to be reminded, or no reminder.")
REMINDER_CHOICES = [
    ("", gettext_lazy("No reminder")),
    ("hour", gettext_lazy("In an hour")),
    ("tomorrow", gettext_lazy("Tomorrow morning")),
    ("week", gettext_lazy("In a week")),
    ("at", gettext_lazy("At a time I choose")),
]
# A reminder further ahead than this is a typo, not a plan.
REMINDER_HORIZON = timedelta(days=366)


class BookmarkForm(forms.Form):
    """Keep, change or remove a bookmark. ``remind`` picks a reminder; "at" reads
    ``remind_at`` (a local date and time in the reader's time zone)."""

    remove = forms.BooleanField(required=False)
    remind = forms.ChoiceField(
        choices=REMINDER_CHOICES,
        required=False,
        label=gettext_lazy("Remind me"),
        error_messages={"invalid_choice": _CHOOSE_A_REMINDER},
    )
    remind_at = forms.DateTimeField(
        required=False,
        label=gettext_lazy("Reminder time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={
            "invalid": gettext_lazy("Enter the date and time as shown, e.g. 2026-12-24 09:00.")
        },
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("remove"):
            return data
        now = timezone.now()
        choice = data.get("remind") or ""
        when: datetime | None = None
        if choice == "hour":
            when = now + timedelta(hours=1)
        elif choice in ("tomorrow", "week"):
            local = timezone.localtime(now)
            days = 1 if choice == "tomorrow" else 7
            when = (local + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
        elif choice == "at":
            when = data.get("remind_at")
            if when is None and "remind_at" not in self.errors:
                self.add_error("remind_at", _("Choose the date and time to be reminded."))
            elif when is not None and when <= now:
                self.add_error("remind_at", _("Choose a time in the future."))
            elif when is not None and when > now + REMINDER_HORIZON:
                self.add_error("remind_at", _("Choose a time within the next year."))
        data["when"] = when
        return data
