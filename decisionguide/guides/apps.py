from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidesConfig(AppConfig):
    """The guide list, each guide's page and its linked pages: what a visitor reads first."""

    name = "decisionguide.guides"
    # "guides" is the content app's label (its tables were made under it).
    label = "guide_pages"
    verbose_name = _("Guide pages")
