from django.contrib import admin
from django.urls import include, path

from decisionguide import ops

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("decisionguide.guides.questionnaire_urls")),
    path("", include("decisionguide.guides.urls")),
]
