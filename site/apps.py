from django.apps import AppConfig


class HearthConfig(AppConfig):
    name = "hearth"
    label = "hearth"
    verbose_name = "Hearth"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from hearth import admin_denied, kept_pages, page_languages

        # Staff on another role's admin screen get the 403 page, not a redirect.
        admin_denied.install()
        kept_pages.connect()
        # A Wagtail locale for every language pages may be written in (page_languages).
        post_migrate.connect(
            page_languages.ensure_locales, sender=self, dispatch_uid="hearth-locales"
        )
