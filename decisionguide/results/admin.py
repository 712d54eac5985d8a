"""Stored results, read-only: they are a visitor's frozen record, not content to edit."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from decisionguide.results.models import Result


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["id", "guide", "version", "outcome", "created"]
    list_filter = ["guide_version__guide"]
    date_hierarchy = "created"
    search_fields = ["id"]
    fields = ["id", "guide_version", "created", "answers", "free_texts", "decision"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Result]:
        # The frozen guide document is large and not shown in the list.
        return (
            super()
            .get_queryset(request)
            .select_related("guide_version__guide")
            .defer("guide_version__document")
        )

    @admin.display(description=_("Guide"), ordering="guide_version__guide__title")
    def guide(self, result: Result) -> str:
        return result.guide_version.guide.title

    @admin.display(description=_("Version"), ordering="guide_version__version")
    def version(self, result: Result) -> int:
        return result.guide_version.version

    @admin.display(description=_("Outcome"))
    def outcome(self, result: Result) -> str:
        return result.decision.get("outcome") or result.decision.get("route") or ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Result | None = None) -> bool:
        return False
