from django.apps import AppConfig


class TranslatingConfig(AppConfig):
    """Editors' side of a guide in several languages: the Translations page, PO files."""

    name = "decisionguide.translating"
    label = "translating"
    verbose_name = "Translating"
