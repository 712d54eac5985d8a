"""Publish controls sit at the top of the guide's pages, and every refusal names things in words."""

from __future__ import annotations

import html

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.publishing.drafts import record_edit
from tests import admin_forms

pytestmark = pytest.mark.django_db


def break_first_scenario(guide: Guide) -> tuple[str, str, str]:
    """Point the first scenario at another outcome (it now fails); its title and both names."""
    scenario = guide.scenarios.order_by("order", "id").first()
    gives = scenario.outcome
    other = guide.outcomes.exclude(pk=gives.pk).first()
    scenario.outcome = other
    scenario.save()
    record_edit(guide)
    return scenario.title, gives.name, other.name


@pytest.mark.parametrize("where", ["change", "checks"])
def test_the_publish_controls_come_before_the_checks(
    superuser_client: Client, small_guide: Guide, where: str
) -> None:
    Guide.objects.filter(pk=small_guide.pk).update(title="A new title")
    small_guide.refresh_from_db()
    record_edit(small_guide)
    url = reverse(f"admin:guides_guide_{where}", args=[small_guide.pk])
    page = superuser_client.get(url).content.decode()
    assert 'id="publish_form"' in page
    # Above the report of every check (the long part of both pages).
    assert page.index('id="publish_form"') < page.index('class="guide-report"')


def test_a_forced_publish_is_refused_in_words(superuser_client: Client, small_guide: Guide) -> None:
    title, gives, expected = break_first_scenario(small_guide)
    slug = small_guide.scenarios.order_by("order", "id").first().slug
    url = reverse("admin:guides_guide_publish", args=[small_guide.pk])
    response = superuser_client.post(url, {"version": str(small_guide.version)}, follow=True)
    text = html.unescape(response.content.decode())
    assert f"Scenario “{title}” gives “{gives}”, expected “{expected}”" in text
    assert f"scenario {slug}:" not in text
    small_guide.refresh_from_db()
    assert small_guide.published_version.version == 1


def test_an_import_with_publish_is_refused_in_words(
    superuser_client: Client, small_guide: Guide, small_document
) -> None:
    data = small_document.to_data()
    scenario = data["scenarios"][0]
    names = {o["slug"]: o["name"] for o in data["outcomes"]}
    other = next(slug for slug in names if slug != scenario["outcome"])
    gives = scenario["outcome"]
    data["scenarios"][0]["outcome"] = other
    response = admin_forms.upload(superuser_client, yaml.safe_dump(data), publish=True)
    text = html.unescape(response.content.decode())
    assert "Not imported" in text
    assert (
        f"Scenario “{scenario['title']}” gives “{names[gives]}”, expected “{names[other]}”" in text
    )
    assert f"scenario {scenario['slug']}: expected" not in text
