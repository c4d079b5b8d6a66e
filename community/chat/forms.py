from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.chat.models import MESSAGE_MAX_LENGTH, ChatMessage
from community.forum.models import Category
from community.models import User
from community.moderation.forms import canned_reason_field
from hearth.forms import model_choice_field
from hearth.text import clean_text

_CLIENT_REF_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")

MUTE_CHOICES = [
    (10, gettext_lazy("10 minutes")),
    (60, gettext_lazy("1 hour")),
    (24 * 60, gettext_lazy("1 day")),
    (7 * 24 * 60, gettext_lazy("1 week")),
]


def _new_client_ref() -> str:
    return uuid.uuid4().hex


class EditMessageForm(forms.Form):
    # No max_length: the browser would cut a long paste without a word. The limit is
    # the action's (actions._validated_body), which refuses with the length, and the
    # page's counter (chat.js, data-max-length) warns before that.
    body = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 2, "data-max-length": MESSAGE_MAX_LENGTH}),
        help_text=gettext_lazy(
            "Plain text; links become clickable. Enter sends, Shift+Enter adds a line."
        ),
        error_messages={
            "required": gettext_lazy("Write something first: a message cannot be empty.")
        },
    )

    def clean_body(self) -> str:
        body = clean_text(self.cleaned_data["body"])
        if not body:
            raise ValidationError(_("Write something first: a message cannot be empty."))
        return body


class MessageForm(EditMessageForm):
    # One value per rendered form: sending the same form twice saves one message.
    client_ref = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=_new_client_ref
    )

    def clean_client_ref(self) -> str:
        value = self.cleaned_data["client_ref"]
        return value if _CLIENT_REF_RE.fullmatch(value) else ""


class MuteForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Member's username"), max_length=30)
    minutes = forms.TypedChoiceField(
        label=gettext_lazy("Mute for"), choices=MUTE_CHOICES, coerce=int
    )
    reason = forms.CharField(
        label=gettext_lazy("Note to the member (also in the audit log)"),
        max_length=300,
        required=False,
    )
    rule = canned_reason_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        username = cleaned.get("username", "").strip().lstrip("@")
        if username:
            member = User.objects.filter(username__iexact=username, is_active=True).first()
            if member is None:
                raise ValidationError(
                    _("There is no member called %(username)s.") % {"username": username}
                )
            cleaned["member"] = member
        return cleaned


class _MessageChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ChatMessage) -> str:
        return f"{obj.author.name} ({obj.created_at:%d %b %H:%M}): {obj.body[:140]}"


class TopicForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Topic title"), max_length=140)
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=gettext_lazy("Forum category"), queryset=None, empty_label=None
    )
    messages = _MessageChoiceField(
        label=gettext_lazy("Messages to quote"),
        queryset=ChatMessage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one message to quote.")},
    )

    def __init__(self, *args, room, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = Category.objects.all()
        if room.category_id:
            self.fields["category"].initial = room.category_id
        self._room_messages = (
            ChatMessage.objects.visible().filter(room=room).select_related("author")
        )
        model_choice_field(self, "messages").queryset = self._room_messages

    def offer_latest(self, count: int) -> None:
        """Offer only the latest ``count`` messages, oldest first, so the conversation
        reads in order."""
        recent = self._room_messages.order_by("-id")[:count]
        model_choice_field(self, "messages").queryset = ChatMessage.objects.filter(
            pk__in=[m.pk for m in recent]
        ).select_related("author")
