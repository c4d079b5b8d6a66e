from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "community.moderation"
    label = "moderation"
    verbose_name = "Moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Appeals wait in the one review inbox (community.review), like flags and holds.
        from community import review
        from community.moderation.review import AppealSource

        review.register(AppealSource())
