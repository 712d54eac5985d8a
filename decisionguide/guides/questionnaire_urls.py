"""Questionnaire URLs: every step is a GET URL carrying the answers in its query string."""

from django.urls import path

from decisionguide.guides import questionnaire

urlpatterns = [
    path(
        "guides/<slug:slug>/questions/",
        questionnaire.questionnaire_start,
        name="questionnaire-start",
    ),
    path(
        "guides/<slug:slug>/questions/<slug:question_slug>/",
        questionnaire.question_page,
        name="questionnaire-question",
    ),
    path(
        "guides/<slug:slug>/questions/<slug:question_slug>/answer/",
        questionnaire.answer_question,
        name="questionnaire-answer",
    ),
    path("guides/<slug:slug>/check/", questionnaire.check_page, name="questionnaire-check"),
    path("guides/<slug:slug>/route/", questionnaire.route_page, name="questionnaire-route"),
    path("guides/<slug:slug>/result/", questionnaire.result_page, name="questionnaire-result"),
]
