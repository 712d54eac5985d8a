from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "decisionguide.results"
    label = "results"
    verbose_name = "Results and rate limits"
    default_auto_field = "django.db.models.BigAutoField"
