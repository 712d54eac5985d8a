from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Anonymous counts of questions shown and answered (no cookies, no personal data)."""

    name = "decisionguide.analytics"
    label = "analytics"
    verbose_name = "Analytics"
