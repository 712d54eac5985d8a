from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "decisionguide.guides"
    label = "guides"
    verbose_name = "Decision guides"
    default_auto_field = "django.db.models.BigAutoField"
