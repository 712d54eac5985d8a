"""The publishing pages and messages in the editor's language (issue 24): an editor who
picked French reads them in French, from the catalogue, and no English is left of them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from decisionguide.content.models import Guide, Question
from decisionguide.publishing.concurrency import StaleDraft
from decisionguide.publishing.drafts import publish
from tests.admin_forms import admin_form, change_url, post, save_fields

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"
APOS = "\N{RIGHT SINGLE QUOTATION MARK}"  # the French apostrophe


def in_french(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def page(client: Client, name: str, *args: object) -> str:
    response = client.get(reverse(f"admin:guides_guide_{name}", args=args))
    assert response.status_code == 200, name
    return unescape(response.content.decode())


def test_the_history_version_and_unpublish_pages_are_in_french(
    superuser_client: Client, small_guide: Guide
) -> None:
    if not small_guide.is_published:
        publish(small_guide)
    client = in_french(superuser_client)

    history = page(client, "history", small_guide.pk)
    assert f"Historique{NBSP}: {small_guide.title}" in history
    assert "Chaque modification enregistrée est une version." in history
    assert "Every saved change is a version." not in history
    assert "Version complète et différences avec le brouillon" in history

    version = page(client, "version", small_guide.pk, small_guide.version)
    assert f"C{APOS}est le brouillon." in version and "This is the draft." not in version
    assert "Différences avec le brouillon" in version

    unpublish = page(client, "unpublish", small_guide.pk)
    assert f"Retirer «{NBSP}{small_guide.title}{NBSP}» du site{NBSP}?" in unpublish
    assert "Oui, retirer ce guide du site" in unpublish
    assert "Yes, take this guide off the site" not in unpublish


def test_the_checks_logic_and_analytics_pages_are_in_french(
    superuser_client: Client, small_guide: Guide
) -> None:
    client = in_french(superuser_client)

    checks = page(client, "checks", small_guide.pk)
    assert f"Vérifications{NBSP}: {small_guide.title} (brouillon, version" in checks
    assert f"Chaque scénario donne l{APOS}option attendue" in checks
    assert "Every scenario gives its expected outcome" not in checks

    logic = page(client, "logic", small_guide.pk)
    assert "La carte en mots" in logic and "The map in words" not in logic

    analytics = page(client, "analytics", small_guide.pk)
    assert f"Entonnoir{NBSP}: où les visiteurs s{APOS}arrêtent" in analytics
    assert "Visites commencées" in analytics
    assert "Funnel: where visitors stop" not in analytics and "Visits started" not in analytics


def test_the_publish_controls_and_reviewer_links_are_in_french(
    superuser_client: Client, small_guide: Guide
) -> None:
    if not small_guide.is_published:
        publish(small_guide)
    change = page(in_french(superuser_client), "change", small_guide.pk)
    assert "Les visiteurs voient déjà cette version." in change
    assert "Visitors already see this version." not in change
    # The reviewer link's days, in the words of the language the page is shown in.
    assert "Valable pendant" in change and re.search(r">\d+ jours<", change)
    assert not re.search(r">\d+ days<", change)


def test_publishing_says_so_in_french(superuser_client: Client, small_guide: Guide) -> None:
    client = in_french(superuser_client)
    url = reverse("admin:guides_guide_publish", args=[small_guide.pk])

    response = client.post(url, {"version": small_guide.version}, follow=True)

    html = unescape(response.content.decode())
    expected = (
        f"Version {small_guide.version} publiée{NBSP}: les visiteurs la voient dès maintenant."
    )
    assert expected in html
    assert "visitors see it now" not in html


def test_a_merged_save_and_its_scenarios_message_are_in_french(
    superuser_client: Client, second_client: Client, small_guide: Guide
) -> None:
    first, second = small_guide.questions.order_by("order")[:2]
    mine = admin_form(superuser_client, first)
    save_fields(second_client, second, prompt="Their question, reworded?")
    mine["prompt"] = "My question, reworded?"
    client = in_french(superuser_client)

    response = post(client, change_url(first), mine)

    assert response.status_code == 302
    html = unescape(client.get(response["Location"]).content.decode())
    assert Question.objects.get(pk=first.pk).prompt == "My question, reworded?"
    assert re.search(r"Fusionné avec la version \d+ de second\xa0: ", html)
    assert f"«{NBSP}{second.short}{NBSP}»" in html
    assert re.search(f"(Les \\d+ scénarios|L{APOS}unique scénario du guide) donne", html)
    assert "Merged with" not in html and "still give" not in html


def test_a_refused_save_is_explained_in_french(small_guide: Guide) -> None:
    stale = StaleDraft(small_guide.title, 3, 5, ())
    with translation.override("fr"):
        summary = stale.summary
    assert summary == (
        f"Non enregistré{NBSP}: «{NBSP}{small_guide.title}{NBSP}» a changé après l{APOS}ouverture "
        "de cette page (vous aviez la version 3, le brouillon en est maintenant à la version 5)."
    )
    with translation.override("en"):
        assert stale.summary.startswith(f"Not saved: “{small_guide.title}” changed after")
