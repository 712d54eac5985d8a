from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorConfig(AppConfig):
    """The editors' admin: guide parts, checks, history, publishing, import and export."""

    name = "decisionguide.editor"
    label = "editor"
    verbose_name = _("Guide editor")
