from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnaireConfig(AppConfig):
    """The visitor's questionnaire: one question per page, every step a URL."""

    name = "decisionguide.questionnaire"
    label = "questionnaire"
    verbose_name = _("Questionnaire")
