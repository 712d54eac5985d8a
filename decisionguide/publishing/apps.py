from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """Drafts and publishing: every save frozen as a checked version, stale drafts refused,
    save feedback, Publish, and the editor's pages around a guide (dashboard, checks,
    history, logic map, analytics)."""

    name = "decisionguide.publishing"
    label = "publishing"
    verbose_name = _("Publishing")
