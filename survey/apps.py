from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class SurveyConfig(AppConfig):
    name = "survey"
    label = "survey"
    verbose_name = gettext_lazy("Recommend survey")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Detractors' answers wait for a moderator in the review inbox.
        from survey import review, segments

        review.register_source()
        # Promoters and detractors, for the dashboards' splits and for targeting.
        segments.register()
