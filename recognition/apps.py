from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class RecognitionConfig(AppConfig):
    name = "recognition"
    label = "recognition"
    verbose_name = gettext_lazy("Challenges and surprises")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported once the app registry is ready: they connect receivers and sections.
        from recognition import receivers, sections  # noqa: F401
