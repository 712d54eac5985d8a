"""The data migration that tidies text saved before saves were tidied, and remembers file loads.

The database goes back to before 0013_tidy_text, rows are written as browsers
saved them then (CRLF, spaces at line ends), and `migrate` runs forward.
"""

from __future__ import annotations

import pytest

from decisionguide.content.models import Guide
from tests.migrations import latest, migrate

BEFORE = [("guides", "0012_publish_events")]


@pytest.mark.django_db(transaction=True)
def test_old_rows_are_tidied_and_file_loads_remembered() -> None:
    old = migrate(BEFORE)
    OldGuide = old.get_model("guides", "Guide")
    OldVersion = old.get_model("guides", "GuideVersion")
    guide = OldGuide.objects.create(
        slug="messy",
        title="Messy  ",
        summary="One line.\r\nTwo lines.   \r\n",
        intro="First paragraph.  \r\n\r\nSecond.\r\n",
        version=3,
    )
    OldVersion.objects.create(guide=guide, version=2, document={}, note="Loaded from content/x")
    OldVersion.objects.create(guide=guide, version=3, document={}, note="Changed Outcome")
    try:
        migrate(latest())
    finally:
        migrate(latest())

    tidied = Guide.objects.get(pk=guide.pk)
    assert (tidied.title, tidied.summary, tidied.intro) == (
        "Messy",
        "One line.\nTwo lines.",
        "First paragraph.\n\nSecond.",
    )
    # Loaded from a file at version 2, edited after: the next load skips it.
    assert tidied.file_version == 2
