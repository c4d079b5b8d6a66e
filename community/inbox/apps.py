from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "community.inbox"
    label = "inbox"
    verbose_name = "Review inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the bell: every moderator hears when something new needs a human.
        from community.inbox import receivers  # noqa: F401
