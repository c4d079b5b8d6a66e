from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    label = "blog"
    verbose_name = "Blog and guides"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported once the app registry is ready (they import models); sections registers
        # on import.
        from blog import fragments, receivers, search, sections  # noqa: F401

        receivers.connect()
        fragments.connect()
        search.register()
