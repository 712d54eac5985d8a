from django.apps import AppConfig


class EditorConfig(AppConfig):
    """The editors' admin: guide parts, checks, history, publishing, import and export."""

    name = "decisionguide.editor"
    label = "editor"
    verbose_name = "Guide editor"
