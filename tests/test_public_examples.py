"""Scenarios are editors' tests; only those marked public are examples visitors see.

A scenario saved from "Try the draft" is private; a public one shows under
Examples and as a result's closest example, under its visitor-facing title and
description; publishing (the admin's, `loadguide`'s, `checkguide`'s verdict) is
refused while a public example shows placeholder text. Documents frozen before
the flag read every scenario as public, as they were shown then.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from decisionguide.checking.checks import check_document
from decisionguide.content.models import Guide, Scenario
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.decision.parsing import parse_document
from decisionguide.publishing.drafts import PublishRefused, publish, record_edit
from tests.admin_forms import read_form, save_fields
from tests.migrations import latest, migrate

PLACEHOLDER = "Saved from Try the draft by editor; describe the situation here."


def with_scenario(doc: GuideDocument, **changes: Any) -> GuideDocument:
    data = doc.to_data()
    data["scenarios"][0].update(changes)
    return parse_document(data)


def examples_on_page(client: Client, guide: Guide) -> str:
    return client.get(guide.get_absolute_url()).content.decode()


# --- The document ---------------------------------------------------------------------------


def test_a_document_without_the_flag_reads_every_scenario_as_public(
    small_file: Path,
) -> None:
    data = yaml.safe_load(small_file.read_text(encoding="utf-8"))
    assert "public" not in data["scenarios"][0]  # written before the flag
    doc = parse_document(data)
    assert [s.public for s in doc.scenarios] == [True]
    assert doc.examples == doc.scenarios
    # Written out, a file says which scenarios visitors see, and reads back the same.
    assert doc.to_data()["scenarios"][0]["public"] is True
    assert parse_document(doc.to_data()) == doc


def test_the_seed_guide_marks_its_examples_public(seed_file: Path) -> None:
    data = yaml.safe_load(seed_file.read_text(encoding="utf-8"))
    assert [s["public"] for s in data["scenarios"]] == [True, True, True]


def test_visitor_words_replace_the_editors_and_a_private_scenario_is_no_example(
    small_document: GuideDocument,
) -> None:
    scenario = small_document.scenarios[0]
    answers = dict(scenario.answers)
    assert evaluate(small_document, answers).scenario == scenario.slug

    worded = with_scenario(small_document, public_title="Busy summers", public_description="Many.")
    assert (worded.scenarios[0].shown_title, worded.scenarios[0].shown_description) == (
        "Busy summers",
        "Many.",
    )
    private = with_scenario(small_document, public=False)
    assert private.examples == ()
    assert private.to_data()["scenarios"][0]["public"] is False
    # Still a test of the guide, never the closest example.
    assert evaluate(private, answers).scenario is None
    assert check_document(private).scenarios[0].passed


def test_a_public_placeholder_fails_the_checks_a_private_one_does_not(
    small_document: GuideDocument,
) -> None:
    public = check_document(with_scenario(small_document, description=PLACEHOLDER))
    assert not public.passes
    assert [(p.slug, str(p.field)) for p in public.placeholder_examples] == [
        ("wedding-season", "description")
    ]
    assert any("Wedding season" in line and "placeholder" in line for line in public.problems())
    # Words for visitors of its own replace the placeholder: it may go live.
    reworded = with_scenario(
        small_document, description=PLACEHOLDER, public_description="Twelve weddings a year."
    )
    assert check_document(reworded).passes
    private = with_scenario(small_document, description=PLACEHOLDER, public=False)
    assert check_document(private).passes
    # A real example may mention a to-do list; only markers in capitals count.
    assert check_document(with_scenario(small_document, description="A todo list.")).passes
    assert not check_document(with_scenario(small_document, handoff_rule="TBD")).passes


def test_checkguide_fails_a_file_with_a_public_placeholder(
    small_document: GuideDocument, tmp_path: Path
) -> None:
    data = with_scenario(small_document, description=PLACEHOLDER).to_data()
    bad = tmp_path / "placeholder.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("checkguide", "--file", str(bad), stdout=out)
    assert excinfo.value.returncode == 1
    assert "PLACEHOLDER in public example wedding-season, description" in out.getvalue()


# --- In the database ------------------------------------------------------------------------


@pytest.mark.django_db
def test_loadguide_does_not_publish_a_public_placeholder(
    small_guide: Guide, tmp_path: Path
) -> None:
    data = with_scenario(small_guide.draft_document(), description=PLACEHOLDER).to_data()
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("loadguide", str(path), stdout=out, stderr=err)
    small_guide.refresh_from_db()
    assert small_guide.version == 2
    assert small_guide.published_version.version == 1  # visitors keep the old version
    assert "placeholder text in its description" in out.getvalue() + err.getvalue()


@pytest.mark.django_db
def test_a_scenario_saved_from_try_is_private_until_worded_for_visitors(
    superuser_client: Client, small_guide: Guide
) -> None:
    visitor = Client()
    doc = small_guide.draft_document()
    answers = dict(doc.scenarios[0].answers)
    query = "&".join(f"{q}={c}" for q, c in answers.items())
    try_url = reverse("admin:guides_guide_try", args=[small_guide.pk]) + f"?{query}&run=1"
    form = read_form(superuser_client, try_url, "try-save-scenario")
    form["title"] = "Tried on a Monday"
    superuser_client.post(
        reverse("admin:guides_guide_try_scenario", args=[small_guide.pk]), form.data()
    )
    saved = Scenario.objects.get(guide=small_guide, title="Tried on a Monday")
    assert not saved.public
    assert "describe the situation here" in saved.description

    # Private: publishing goes ahead, and visitors never see it.
    small_guide.refresh_from_db()
    publish(small_guide, expected_version=small_guide.version)
    page = examples_on_page(visitor, small_guide)
    assert "Wedding season" in page
    assert "Tried on a Monday" not in page and "describe the situation" not in page

    # Ticked public with the placeholder still there: the save warns, publishing is refused.
    response = save_fields(superuser_client, saved, public="on")
    assert response.status_code == 302
    warned = superuser_client.get(response["Location"]).content.decode()
    assert "Publishing is refused while a public example shows visitors placeholder" in warned
    small_guide.refresh_from_db()
    with pytest.raises(PublishRefused) as refused:
        publish(small_guide, expected_version=small_guide.version)
    assert "“Tried on a Monday”" in "; ".join(refused.value.report.problems())
    checks = superuser_client.get(reverse("admin:guides_guide_checks", args=[small_guide.pk]))
    assert "Publishing is refused while a public example shows placeholder text" in (
        checks.content.decode()
    )

    # Worded for visitors: it goes live under the new words.
    saved.refresh_from_db()
    save_fields(
        superuser_client,
        saved,
        public_title="A wedding booked in a hurry",
        public_description="A couple books three weeks ahead and pays in full.",
    )
    small_guide.refresh_from_db()
    publish(small_guide, expected_version=small_guide.version)
    page = examples_on_page(visitor, small_guide)
    assert "A wedding booked in a hurry" in page and "Tried on a Monday" not in page


@pytest.mark.django_db
def test_only_public_examples_show_on_the_guide_page_and_results(small_guide: Guide) -> None:
    Scenario.objects.filter(guide=small_guide).update(public=False)
    record_edit(small_guide, note="Examples made private")
    small_guide.refresh_from_db()
    publish(small_guide, expected_version=small_guide.version)
    page = examples_on_page(Client(), small_guide)
    assert "Wedding season" not in page
    assert 'id="scenarios"' not in page  # no empty Examples section
    doc = small_guide.published_document()
    assert evaluate(doc, dict(doc.scenarios[0].answers)).scenario is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_examples_public_but_not_placeholders() -> None:
    old = migrate([("guides", "0017_claims_failure_checks_tie_breaks")])
    OldGuide = old.get_model("guides", "Guide")
    OldOutcome = old.get_model("guides", "Outcome")
    OldScenario = old.get_model("guides", "Scenario")
    guide = OldGuide.objects.create(slug="old", title="Old", summary="S.", intro="I.")
    outcome = OldOutcome.objects.create(guide=guide, slug="a", name="A", tagline="T.")
    OldScenario.objects.create(
        guide=guide, slug="real", title="Real", description="A real one.", outcome=outcome
    )
    OldScenario.objects.create(
        guide=guide, slug="tried", title="Tried", description=PLACEHOLDER, outcome=outcome, order=1
    )
    try:
        migrate(latest())
    finally:
        migrate(latest())
    public = dict(Scenario.objects.filter(guide_id=guide.pk).values_list("slug", "public"))
    assert public == {"real": True, "tried": False}
