# Placeholder until the questionnaire lands (issue 3): the guide page's
# "Start" button needs this URL name.
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path


def questionnaire_start(request: HttpRequest, slug: str) -> HttpResponse:
    return redirect("guide-detail", slug=slug)


urlpatterns = [
    path("guides/<slug:slug>/questions/", questionnaire_start, name="questionnaire-start"),
]
