from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("decisionguide.guides.questionnaire_urls")),
    path("", include("decisionguide.guides.urls")),
]
