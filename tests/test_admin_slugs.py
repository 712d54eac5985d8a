"""Starting a guide: slugs follow names and labels as they are typed, and required fields are
marked before the first save (issue 25, item 5)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide, Outcome, Scenario

pytestmark = pytest.mark.django_db


def prepopulated(client: Client, url: str) -> dict[str, list[str]]:
    """The admin's prepopulated fields on a page: slug field id -> the ids it follows."""
    html = client.get(url).content.decode()
    found = re.search(r'data-prepopulated-fields="([^"]*)"', html)
    assert found, url
    return {f["id"]: f["dependency_ids"] for f in json.loads(unescape(found.group(1)))}


def test_new_parts_take_their_slug_from_their_name(
    superuser_client: Client, small_guide: Guide
) -> None:
    for model, source in [(Outcome, "name"), (Scenario, "title")]:
        url = reverse(f"admin:guides_{model._meta.model_name}_add") + f"?guide={small_guide.pk}"
        assert prepopulated(superuser_client, url) == {"#id_slug": [f"#id_{source}"]}
    question = reverse("admin:guides_question_add") + f"?guide={small_guide.pk}"
    fields = prepopulated(superuser_client, question)
    assert fields["#id_slug"] == ["#id_short"]
    # Each new choice row's slug follows its label.
    assert fields["#id_choices-0-slug"] == ["#id_choices-0-label"]
    # A saved part keeps its slug: links and results name it.
    outcome = small_guide.outcomes.first()
    change = reverse("admin:guides_outcome_change", args=[outcome.pk])
    assert "#id_slug" not in prepopulated(superuser_client, change)


def test_a_new_guide_and_its_outcomes_follow_their_titles_and_names(
    superuser_client: Client,
) -> None:
    fields = prepopulated(superuser_client, reverse("admin:guides_guide_add"))
    assert fields["#id_slug"] == ["#id_title"]
    assert fields["#id_outcomes-0-slug"] == ["#id_outcomes-0-name"]


def test_required_fields_are_marked_before_the_first_save(
    superuser_client: Client, small_guide: Guide
) -> None:
    question = reverse("admin:guides_question_add") + f"?guide={small_guide.pk}"
    html = superuser_client.get(question).content.decode()
    assert "Fields marked with an asterisk (*) must be filled in" in html
    label = re.search(r'<label[^>]*for="id_choices-0-label"[^>]*>', html)
    assert label and 'class="required"' in label.group(0)
    assert 'class="ordered-field field-slug prepopulated_field"' in html
