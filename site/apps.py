from django.apps import AppConfig


class HearthConfig(AppConfig):
    name = "hearth"
    label = "hearth"
    verbose_name = "Hearth"
    default_auto_field = "django.db.models.BigAutoField"
