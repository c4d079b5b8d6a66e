from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    label = "referrals"
    verbose_name = "Referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported once the app registry is ready: they connect receivers and sections.
        from referrals import receivers, record, review, sections  # noqa: F401

        review.register_source()
        record.register_section()
