"""The URLs under /embed/ (the middleware strips the prefix): the public pages, and the
result POST that needs no cookie in place of the one that does. No admin, no probes."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, path

from decisionguide.embed import views
from decisionguide.guides import urls as guide_urls
from decisionguide.questionnaire import urls as questionnaire_urls
from decisionguide.results import urls as result_urls


def _public() -> list[URLPattern]:
    patterns = [*questionnaire_urls.urlpatterns, *guide_urls.urlpatterns, *result_urls.urlpatterns]
    return [p for p in patterns if p.name != "result-create"]


# In every language, as on the full site: /embed/fr/guides/... (decisionguide/urls.py).
urlpatterns = i18n_patterns(
    *_public(),
    path("guides/<slug:slug>/results/", views.create_result, name="result-create"),
    prefix_default_language=False,
)
