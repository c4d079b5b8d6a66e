"""Chat in the Wagtail admin: moderators and editors manage rooms and mutes.

Creating, editing and deleting rooms is logged by Wagtail itself; the chat's own
moderation verbs (deleting someone's message, muting, automatic silences, turning
messages into a topic) are registered here so the audit log names them.
"""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from community.chat.models import Room, RoomMute


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
        FieldPanel("archived"),
        FieldPanel("position"),
    ]


class RoomMuteViewSet(SnippetViewSet):
    model = RoomMute
    icon = "warning"
    menu_label = "Mutes"
    list_display = ["member", "room", "until", "moderator", "reason"]
    list_filter = ["room"]
    ordering = ["-until"]
    copy_view_enabled = False
    panels = [FieldPanel("room"), FieldPanel("member"), FieldPanel("until"), FieldPanel("reason")]


class ChatViewSetGroup(SnippetViewSetGroup):
    items = (RoomViewSet, RoomMuteViewSet)
    menu_icon = "comment"
    menu_label = "Chat"
    menu_name = "chat"


register_snippet(ChatViewSetGroup)


@hooks.register("register_log_actions")
def register_chat_log_actions(actions) -> None:
    actions.register_action("hearth.chat.delete", "Delete chat message", "Chat message deleted")
    actions.register_action("hearth.chat.mute", "Mute in chat room", "Member muted in a room")
    actions.register_action("hearth.chat.unmute", "Lift chat mute", "Chat mute lifted")
    actions.register_action(
        "hearth.chat.auto_silence", "Silence for flooding", "Member silenced for flooding chat"
    )
    actions.register_action(
        "hearth.chat.topic", "Turn chat into topic", "Chat messages turned into a topic"
    )
