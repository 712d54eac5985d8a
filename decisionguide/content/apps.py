from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from decisionguide.content.models import Guide
    from decisionguide.decision.document import GuideDocument


class ContentConfig(AppConfig):
    """Guides and their parts, the frozen documents visitors see, and the guide pages.

    The label stays "guides": the tables, migrations and permissions were made under it.
    """

    name = "decisionguide.content"
    label = "guides"
    verbose_name = _("Decision guides")
    default_auto_field = "django.db.models.BigAutoField"

    # Rows -> document (`content.rows.build_document`), for `Guide.draft_document()`: the
    # mapping imports the models, so the models reach it through their app, never by import.
    build_document: Callable[[Guide], GuideDocument]

    def ready(self) -> None:
        from decisionguide.content.rows import build_document  # needs the models loaded
        from decisionguide.decision import words
        from decisionguide.languages import format_count, join_list, translate_words

        self.build_document = build_document
        # The engine's and the checks' sentences, shown in the reader's language.
        words.use_translator(translate_words, join_list, format_count)
