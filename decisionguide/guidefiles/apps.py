from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuideFilesConfig(AppConfig):
    """Guides as files: YAML in and out, checked whole before anything is stored, and the
    commands that load, dump and check them (`loadguide`, `dumpguide`, `checkguide`)."""

    name = "decisionguide.guidefiles"
    label = "guidefiles"
    verbose_name = _("Guide files")
