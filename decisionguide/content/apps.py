from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Guides and their parts, the frozen documents visitors see, and the guide pages.

    The label stays "guides": the tables, migrations and permissions were made under it.
    """

    name = "decisionguide.content"
    label = "guides"
    verbose_name = "Decision guides"
    default_auto_field = "django.db.models.BigAutoField"
