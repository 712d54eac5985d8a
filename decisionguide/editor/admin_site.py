"""The admin site itself: its name, its home page (the guide dashboard) and the order of lists.

Installed in place of "django.contrib.admin" (settings.INSTALLED_APPS names
`EditorAdminConfig`), so `django.contrib.admin.site` is an `EditorSite` and
every `@admin.register` lands on it. Nothing here imports models at import
time: the app config is read while settings load, before any model exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

GUIDES_APP = "guides"
# The guide app's lists in the order an editor works through a guide, not alphabetical.
# fmt: off
EDITOR_ORDER = (
    "guide", "question", "choice", "outcome", "criterion", "scenario", "note", "gate",
    "tiebreak", "linkedpage", "guideitem", "failurecheck", "guideversion",
)
# fmt: on


class EditorAdminConfig(AdminConfig):
    """django.contrib.admin with `EditorSite` as its default site."""

    default_site = "decisionguide.editor.admin_site.EditorSite"


class EditorSite(admin.AdminSite):
    site_header = site_title = _("Decision Guide editor")
    index_title = _("Your guides")
    index_template = "admin/guides/dashboard.html"

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        """The guide app first, its lists in `EDITOR_ORDER`; other apps as Django sorts them."""
        apps = super().get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] == GUIDES_APP:
                app["models"].sort(key=_editor_position)
        return sorted(apps, key=lambda app: app["app_label"] != GUIDES_APP)

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):
        # Imported here: this module is loaded with the settings, before the models.
        from decisionguide.publishing.dashboard import dashboard_context

        context = {**dashboard_context(request), **(extra_context or {})}
        response = super().index(request, context)
        if isinstance(response, TemplateResponse) and response.context_data is not None:
            apps = response.context_data["app_list"]
            # The dashboard covers the guide app; its full list is for administrators.
            response.context_data["other_apps"] = (
                apps
                if request.user.is_superuser
                else [a for a in apps if a["app_label"] != GUIDES_APP]
            )
        return response


def _editor_position(model: dict[str, Any]) -> tuple[int, str]:
    name = model["object_name"].lower()
    position = EDITOR_ORDER.index(name) if name in EDITOR_ORDER else len(EDITOR_ORDER)
    return position, str(model["name"])
