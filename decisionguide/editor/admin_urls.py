"""The guide's own admin pages beside Django's: checks, publishing, tools (editor/admin.py)."""

from __future__ import annotations

from decisionguide.editor import admin_scenarios, admin_tools
from decisionguide.publishing import (
    admin_logic,
    admin_review,
    admin_schedule,
    admin_search,
    admin_starting,
    admin_views,
    analytics_page,
)
from decisionguide.publishing.review_links import review_link_view
from decisionguide.translating import views as translating

# The guide's own pages beside Django's: (route, view, URL name after "guides_guide_").
GUIDE_TOOL_PAGES = [
    # First: a path object_id would take "1/translations/fr" for the pages below.
    (
        "<path:object_id>/translations/<str:language>/",
        translating.translations_view,
        "translations",
    ),
    (
        "<path:object_id>/translations/<str:language>/export/",
        translating.export_view,
        "translations_export",
    ),
    (
        "<path:object_id>/translations/<str:language>/import/",
        translating.import_view,
        "translations_import",
    ),
    ("import/", admin_tools.import_view, "import"),
    ("from-template/", admin_starting.template_view, "from_template"),
    ("markdown-preview/", admin_tools.markdown_preview, "markdown_preview"),
    ("<path:object_id>/ratings/", admin_tools.ratings_view, "ratings"),
    ("<path:object_id>/checks/", admin_views.checks_view, "checks"),
    ("<path:object_id>/logic/", admin_logic.logic_view, "logic"),
    ("<path:object_id>/publish/", admin_views.publish_view, "publish"),
    ("<path:object_id>/unpublish/", admin_views.unpublish_view, "unpublish"),
    ("<path:object_id>/schedule/", admin_schedule.schedule_view, "schedule"),
    ("<path:object_id>/schedule/cancel/", admin_schedule.cancel_schedule_view, "cancel_schedule"),
    ("<path:object_id>/review/", admin_review.request_review_view, "request_review"),
    ("<path:object_id>/review/approve/", admin_review.approve_view, "approve"),
    ("<path:object_id>/history/<int:number>/", admin_views.version_view, "version"),
    ("<path:object_id>/history/<int:number>/revert/", admin_views.revert_view, "revert"),
    ("<path:object_id>/export/", admin_tools.export_view, "export"),
    ("<path:object_id>/try/", admin_tools.try_view, "try"),
    ("<path:object_id>/try/scenario/", admin_scenarios.scenario_from_try_view, "try_scenario"),
    ("<path:object_id>/analytics/", analytics_page.analytics_view, "analytics"),
    ("<path:object_id>/review-links/", review_link_view, "review_links"),
    ("<path:object_id>/copy/", admin_starting.copy_view, "copy"),
    ("<path:object_id>/search/", admin_search.search_view, "search"),
]
