from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "community.chat"
    label = "chat"
    verbose_name = "Chat"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A moderator who lifts or shortens a mute in community.moderation (the member
        # page, an appeal) reaches the room's RoomMute through this enforcer.
        from community.chat.actions import enforce_mutes
        from community.moderation.actions import register_enforcer
        from community.moderation.models import Penalty

        register_enforcer(Penalty.Kind.CHAT_MUTE, enforce_mutes)

        from community.chat import page_cache

        page_cache.connect()
