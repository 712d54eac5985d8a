from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslatingConfig(AppConfig):
    """Editors' side of a guide in several languages: the Translations page, PO files."""

    name = "decisionguide.translating"
    label = "translating"
    verbose_name = _("Translating")
