"""Stored results: POST to create one, then its permalink as a page, JSON and Markdown,
and what-if views of it."""

from django.urls import path, register_converter

from decisionguide.results import views, whatif_views
from decisionguide.results.converters import ResultIdConverter

# A malformed id matches no pattern: a 404 without a database query.
register_converter(ResultIdConverter, "result_id")

urlpatterns = [
    # The result for answers in the URL, not stored (a draft preview's, say).
    path("guides/<slug:slug>/result/", views.result_page, name="questionnaire-result"),
    path("guides/<slug:slug>/results/", views.create_result, name="result-create"),
    path("r/<result_id:result_id>/", views.result_detail, name="result-detail"),
    # The result with one answer changed: worked out, never stored.
    path("r/<result_id:result_id>/what-if/", whatif_views.result_whatif, name="result-whatif"),
    path("r/<result_id:result_id>.json", views.result_json, name="result-json"),
    path("r/<result_id:result_id>.md", views.result_markdown_view, name="result-markdown"),
]
