from django.apps import AppConfig


class GuideFilesConfig(AppConfig):
    """Guides as files: YAML in and out, checked whole before anything is stored, and the
    commands that load, dump and check them (`loadguide`, `dumpguide`, `checkguide`)."""

    name = "decisionguide.guidefiles"
    label = "guidefiles"
    verbose_name = "Guide files"
