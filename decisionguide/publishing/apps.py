from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """Drafts and publishing: every save frozen as a checked version, stale drafts refused,
    save feedback, Publish, and the editor's pages around a guide (dashboard, checks,
    history, logic map, analytics)."""

    name = "decisionguide.publishing"
    label = "publishing"
    verbose_name = "Publishing"
