from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Anonymous counts of questions shown and answered (no cookies, no personal data)."""

    name = "decisionguide.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from decisionguide.model_names import translate_derived_names

        translate_derived_names(self.get_models())
