"""Questionnaire URLs: every step is a GET URL carrying the answers in its query string."""

from django.urls import path

from decisionguide.questionnaire import views

urlpatterns = [
    path(
        "guides/<slug:slug>/questions/",
        views.questionnaire_start,
        name="questionnaire-start",
    ),
    path(
        "guides/<slug:slug>/questions/<slug:question_slug>/",
        views.question_page,
        name="questionnaire-question",
    ),
    path(
        "guides/<slug:slug>/questions/<slug:question_slug>/answer/",
        views.answer_question,
        name="questionnaire-answer",
    ),
    path("guides/<slug:slug>/check/", views.check_page, name="questionnaire-check"),
    path("guides/<slug:slug>/route/", views.route_page, name="questionnaire-route"),
]
