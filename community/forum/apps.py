from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "community.forum"
    label = "forum"
    verbose_name = "Forum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from community.forum import sections

        sections.register()
