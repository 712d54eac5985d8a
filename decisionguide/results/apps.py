from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "decisionguide.results"
    label = "results"
    verbose_name = _("Results and rate limits")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from decisionguide.model_names import translate_derived_names

        translate_derived_names(self.get_models())
