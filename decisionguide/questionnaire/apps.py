from django.apps import AppConfig


class QuestionnaireConfig(AppConfig):
    """The visitor's questionnaire: one question per page, every step a URL."""

    name = "decisionguide.questionnaire"
    label = "questionnaire"
    verbose_name = "Questionnaire"
