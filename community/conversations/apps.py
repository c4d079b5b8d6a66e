from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "community.conversations"
    label = "conversations"
    verbose_name = "Private messages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The digest's "unread messages" part and the review inbox's flagged messages.
        from community.conversations import review, sections

        sections.register()
        review.register_source()
