"""Chat in the Wagtail admin: moderators and editors manage rooms; moderators mute.

Creating, editing and deleting rooms is logged by Wagtail itself; the chat's own
moderation verbs (deleting someone's message, muting, automatic silences, turning
messages into a topic) are registered here so the audit log names them.

The mute screens are one more door to ``mute_member`` / ``unmute_member``: saving the
form, deleting a mute and the bulk delete all go through them, so the admin applies the
same rules as the room page (moderators only, never staff or themselves, 1 minute to 30
days) and the row and the audit log name the moderator.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import CreateEditViewOptionalFeaturesMixin
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from community.chat import actions
from community.chat.actions import ChatError
from community.chat.models import Room, RoomMute
from community.moderation.log_formatters import CHAT_LOG_ACTIONS
from hearth.rules import add_to_form

# Which field a refusal from mute_member belongs beside (its code says which rule).
_REFUSAL_FIELD = {"forbidden": "member", "invalid": "until"}


class RoomViewSet(SnippetViewSet):
    model = Room
    icon = "comment"
    menu_label = "Rooms"
    list_display = ["name", "slug", "visibility", "category", "archived", "position"]
    list_filter = ["visibility", "archived"]
    ordering = ["position", "name"]
    copy_view_enabled = False
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("visibility"),
        FieldPanel("category"),
        FieldPanel("language"),
        FieldPanel("archived"),
        FieldPanel("position"),
    ]


def _minutes_until(until: datetime) -> int:
    # The screen asks "until when"; the action counts whole minutes from now.
    return math.ceil((until - timezone.now()).total_seconds() / 60)


class RoomMuteForm(WagtailAdminModelForm):
    """A mute names its room and member once; editing it renews its end and reason."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("room", "member"):
                self.fields[name].disabled = True


class _MuteThroughAction(CreateEditViewOptionalFeaturesMixin):
    """Save with ``mute_member`` and show its refusal on the form."""

    def save_instance(self) -> RoomMute:
        data = self.form.cleaned_data
        return actions.mute_member(
            room=data["room"],
            member=data["member"],
            moderator=self.request.user,
            minutes=_minutes_until(data["until"]),
            reason=data["reason"],
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ChatError as error:
            add_to_form(form, error, _REFUSAL_FIELD.get(error.code))
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class RoomMuteCreateView(_MuteThroughAction, CreateView):
    pass


class RoomMuteEditView(_MuteThroughAction, EditView):
    pass


class RoomMuteDeleteView(DeleteView):
    """Deleting a mute lifts it, with ``unmute_member``."""

    def delete_action(self) -> None:
        mute = self.object
        actions.unmute_member(room=mute.room, member=mute.member, moderator=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except PermissionDenied as denied:
            messages.error(self.request, str(denied))
            return redirect(self.get_success_url())


class LiftMutesBulkAction(DeleteBulkAction):
    """The listing's bulk delete of mutes: each one lifted with ``unmute_member``."""

    models = [RoomMute]

    @classmethod
    def execute_action(cls, objects, **kwargs):
        user = kwargs["self"].request.user
        for mute in objects:
            actions.unmute_member(room=mute.room, member=mute.member, moderator=user)
        return len(objects), 0


class RoomMuteViewSet(SnippetViewSet):
    model = RoomMute
    icon = "warning"
    menu_label = "Mutes"
    list_display = ["member", "room", "until", "moderator", "reason"]
    list_filter = ["room"]
    ordering = ["-until"]
    copy_view_enabled = False
    add_view_class = RoomMuteCreateView
    edit_view_class = RoomMuteEditView
    delete_view_class = RoomMuteDeleteView
    edit_handler = ObjectList(
        [FieldPanel("room"), FieldPanel("member"), FieldPanel("until"), FieldPanel("reason")],
        base_form_class=RoomMuteForm,
    )


class ChatViewSetGroup(SnippetViewSetGroup):
    items = (RoomViewSet, RoomMuteViewSet)
    menu_icon = "comment"
    menu_label = "Chat"
    menu_name = "chat"


register_snippet(ChatViewSetGroup)
# After Wagtail's own snippet bulk actions (order 0), so this one replaces its delete.
hooks.register("register_bulk_action", LiftMutesBulkAction, order=100)


@hooks.register("register_log_actions")
def register_chat_log_actions(actions) -> None:
    actions.register_action("hearth.chat.delete", "Delete chat message", "Chat message deleted")
    for action, formatter in CHAT_LOG_ACTIONS.items():
        actions.register_action(action)(formatter)
    actions.register_action(
        "hearth.chat.topic", "Turn chat into topic", "Chat messages turned into a topic"
    )
