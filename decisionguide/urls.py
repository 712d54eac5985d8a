from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from decisionguide import ops

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path(f"{settings.ADMIN_PATH}/", admin.site.urls),
    path("", include("decisionguide.results.urls")),
    path("", include("decisionguide.guides.questionnaire_urls")),
    path("", include("decisionguide.guides.urls")),
]
