"""loadguide publishes only what the admin's Publish would: otherwise the draft, and why."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from decisionguide.content.models import Guide
from tests.builders import contradicting_guide
from tests.guide_files import read_data, write_data, write_guide

pytestmark = pytest.mark.django_db


def loadguide(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("loadguide", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_scenario(data: dict[str, Any]) -> dict[str, Any]:
    scenario = data["scenarios"][0]
    scenario["outcome"] = next(
        o["slug"] for o in data["outcomes"] if o["slug"] != scenario["outcome"]
    )
    return data


def unreachable_outcome(data: dict[str, Any]) -> dict[str, Any]:
    """A third outcome that no answer gives points to."""
    data["outcomes"].append({**data["outcomes"][0], "slug": "never", "name": "Never chosen"})
    for criterion in data["criteria"]:
        criterion["ratings"]["never"] = {"label": "n/a", "level": 0}
    return data


def test_a_failing_scenario_keeps_the_file_a_draft_and_says_why(
    small_guide: Guide, small_file: Path, tmp_path: Path
) -> None:
    data = failing_scenario(read_data(small_file))
    data["title"] = "A title visitors must not see yet"
    out, err = loadguide(str(write_data(tmp_path / "failing.yaml", data)))
    assert out.splitlines()[:3] == [
        f"{small_guide.slug}: updated to version 2",
        f"{small_guide.slug}: not published: it fails the checks a guide must pass to go live:",
        # In words, as save feedback says it: the scenario's title, the outcomes' names.
        "  Scenario “Wedding season” gives “Studio app”, expected “Calendar-first”",
    ]
    assert "loaded as the draft" in out
    assert err == ""
    small_guide.refresh_from_db()
    assert small_guide.version == 2  # the draft holds the file
    assert small_guide.title == data["title"]
    # Visitors still see version 1.
    assert small_guide.published_version.version == 1
    assert small_guide.published_document().title != data["title"]


def test_an_unreachable_outcome_keeps_a_new_guide_unlisted(
    small_file: Path, tmp_path: Path
) -> None:
    data = unreachable_outcome(read_data(small_file))
    out, _ = loadguide(str(write_data(tmp_path / "unreachable.yaml", data)))
    assert "Outcome “Never chosen” can't be reached by any answers (exhaustive search" in out
    guide = Guide.objects.get()
    assert not guide.is_published
    assert guide.published_version is None
    assert not Guide.objects.published().exists()


def test_force_publish_publishes_anyway_with_a_loud_warning(
    small_guide: Guide, small_file: Path, tmp_path: Path
) -> None:
    data = failing_scenario(read_data(small_file))
    out, err = loadguide("--force-publish", str(write_data(tmp_path / "forced.yaml", data)))
    assert out == f"{small_guide.slug}: updated to version 2\n"
    assert err.startswith(f"WARNING: {small_guide.slug}: published with --force-publish")
    assert "Scenario “Wedding season” gives “Studio app”, expected" in err
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 2


def test_a_result_that_argues_against_itself_stops_publishing(tmp_path: Path) -> None:
    # The coherence check is part of the report's verdict, so loadguide follows it too.
    out, _ = loadguide(write_guide(tmp_path, contradicting_guide()))
    assert (
        "answer sets show a result that contradicts itself (a sentence argues against the "
        "recommendation: 2"
    ) in out
    assert "note “A hybrid is a lot to carry alone” (hybrid-alone) argues against HYBRID" in out
    assert not Guide.objects.published().exists()
    assert Guide.objects.filter(slug=contradicting_guide().slug).exists()


def test_a_file_that_passes_is_published_as_before(small_file: Path) -> None:
    out, err = loadguide(str(small_file))
    assert (out, err) == (f"{read_data(small_file)['slug']}: created (version 1)\n", "")
    assert Guide.objects.published().count() == 1
