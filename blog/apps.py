from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    label = "blog"
    verbose_name = "Blog and guides"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from blog import receivers, search, sections  # noqa: F401  (registers on import)

        receivers.connect()
        search.register()
