from django.apps import AppConfig


class HearthConfig(AppConfig):
    name = "hearth"
    label = "hearth"
    verbose_name = "Hearth"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hearth import admin_denied, kept_pages

        # Staff on another role's admin screen get the 403 page, not a redirect.
        admin_denied.install()
        kept_pages.connect()
