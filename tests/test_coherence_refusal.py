"""A guide whose result pages contradict themselves is refused like a failing scenario:
by `checkguide`, by the admin's Publish and by `loadguide`, whatever the kind.

The small test guide passes; each test gives one of its sentences a claim the
answers don't bear out, and the same guide with the claim put right goes live.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from decisionguide.checking.checks import check_document
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.loading import apply_document
from decisionguide.guidefiles.management.commands import checkguide as checkguide_command
from decisionguide.publishing.drafts import PublishRefused, publish
from tests.guide_files import loadguide, read_data, write_data

Data = dict[str, Any]


def with_claim(doc: GuideDocument, **claims: Any) -> Data:
    """The guide with claims on its one note ("Keep contracts together", when contracts=always)."""
    data = doc.to_data()
    data["notes"][0].update(claims)
    return data


def untrue_assertion(doc: GuideDocument) -> Data:
    # The note says the visitor signs contracts rarely; it shows to those who always do.
    return with_claim(doc, asserts={"all": [{"question": "contracts", "in": ["rarely"]}]})


def true_assertion(doc: GuideDocument) -> Data:
    return with_claim(doc, asserts={"all": [{"question": "contracts", "in": ["always"]}]})


FEW_SHOOTS = {"all": [{"question": "shoots", "in": ["few"]}]}


def for_both_beside_a_gate(doc: GuideDocument) -> Data:
    # Shown with few shoots, where the gate rules the studio app out: the note speaks for it.
    return with_claim(doc, when=FEW_SHOOTS, asserts=None, argues_for=["calendar", "studio-app"])


def for_the_calendar(doc: GuideDocument) -> Data:
    return with_claim(doc, when=FEW_SHOOTS, asserts=None, argues_for=["calendar"])


def test_the_small_guide_passes_and_an_untrue_claim_fails(small_document: GuideDocument) -> None:
    assert check_document(small_document).passes
    broken = check_document(parse_document(untrue_assertion(small_document)))
    assert not broken.passes
    assert [k.kind for k in broken.coherence.found] == ["asserts"]
    [problem] = [p for p in broken.problems() if p.startswith("asserts: ")]
    assert problem.startswith(
        "asserts: note “Keep contracts together” (contracts-elsewhere) is shown on a "
    )
    assert "although what it asserts (contracts=rarely) does not hold, e.g. " in problem
    assert check_document(parse_document(true_assertion(small_document))).passes


def test_checkguide_counts_contradictions_by_kind_and_exits_1(
    small_document: GuideDocument, tmp_path: Path
) -> None:
    bad = write_data(tmp_path / "claims.yaml", untrue_assertion(small_document))
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("checkguide", "--file", str(bad), stdout=out)
    assert raised.value.returncode == 1
    text = out.getvalue()
    contradicting = check_document(parse_document(read_data(bad))).coherence.contradicting
    assert f"    {contradicting} answer sets show a result that contradicts itself" in text
    assert f"    asserts: {contradicting} answer sets (a sentence is shown where what it" in text
    assert "    CONTRADICTION (asserts): note “Keep contracts together”" in text
    assert "whole decisions (every change under “What would change it”) on every answer set" in (
        text
    )


def test_checkguide_checks_a_sample_of_whole_decisions_unless_asked_for_all(
    seed_file: Path, small_file: Path, monkeypatch
) -> None:
    out = io.StringIO()
    call_command("checkguide", "--file", str(seed_file), stdout=out)
    assert "0 answer sets show a result that contradicts itself" in out.getvalue()
    assert "distinct answer sets chosen at random" in out.getvalue()
    budgets = []

    def recording(doc: GuideDocument, **options: Any):
        budgets.append(options.get("decision_budget", "default"))
        return check_document(doc, **options)

    monkeypatch.setattr(checkguide_command, "check_document", recording)
    call_command("checkguide", "--file", str(small_file), stdout=io.StringIO())
    call_command("checkguide", "--all-decisions", "--file", str(small_file), stdout=io.StringIO())
    assert budgets == ["default", None]


@pytest.mark.django_db
def test_publishing_refuses_a_contradiction_and_takes_the_fix(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    published = small_guide.published_version_id
    apply_document(parse_document(for_both_beside_a_gate(small_document)), publish=False)
    small_guide.refresh_from_db()
    with pytest.raises(PublishRefused) as refused:
        publish(small_guide)
    assert "contradicts itself (a note and a ruled-out reason argue opposite ways: " in str(
        refused.value
    )
    assert (
        "note “Keep contracts together” (contracts-elsewhere) argues for Studio app beside the "
        "ruled-out reason of gate 1 for Studio app (“With only a few shoots a month a studio app "
        "costs more than…”), which argues against it, on a Calendar-first result"
    ) in str(refused.value)
    small_guide.refresh_from_db()
    assert small_guide.published_version_id == published
    apply_document(parse_document(for_the_calendar(small_document)), publish=False)
    small_guide.refresh_from_db()
    assert publish(small_guide).version == small_guide.version


@pytest.mark.django_db
def test_loadguide_keeps_a_contradicting_file_as_the_draft(
    small_document: GuideDocument, tmp_path: Path
) -> None:
    out = loadguide(write_data(tmp_path / "claims.yaml", untrue_assertion(small_document)))
    assert "photo-bookings: not published: it fails the checks" in out
    assert "contradicts itself (a sentence is shown where what it asserts is untrue: " in out
    assert not Guide.objects.published().exists()
    assert loadguide(write_data(tmp_path / "fixed.yaml", true_assertion(small_document))) == (
        "photo-bookings: updated to version 2\n"
    )
    assert Guide.objects.published().get().published_version.version == 2


@pytest.mark.django_db
def test_the_checks_page_lists_contradictions_by_kind_with_examples(
    small_guide: Guide, small_document: GuideDocument, editor_client
) -> None:
    apply_document(parse_document(for_both_beside_a_gate(small_document)), publish=False)
    url = reverse("admin:guides_guide_checks", args=[small_guide.pk])
    html = editor_client.get(url).content.decode()
    assert "show a result that contradicts itself" in html
    assert "<caption>Contradicting answer sets by kind</caption>" in html
    assert "A note and a ruled-out reason argue opposite ways</th>" in html
    assert "<code>notes[contracts-elsewhere]</code> <code>gates[0]</code>" in html
    assert "Publishing is refused while some answers give a result that contradicts itself." in (
        html
    )
    dashboard = editor_client.get(reverse("admin:index")).content.decode()
    assert "giving a result that contradicts itself" in dashboard
