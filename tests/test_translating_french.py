"""The Translations page, its PO import errors and the embed box in the editor's language
(issue 24): French from the catalogue when the admin is in French, and a PO file exported
from the French admin still reads back."""

from __future__ import annotations

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.decision.translations import entries_of, source_texts
from decisionguide.translating.po import parse_po
from tests.admin_forms import state
from tests.test_translating import TAGLINE, draft, translate
from tests.test_translation_po import export, upload

pytestmark = pytest.mark.django_db
NBSP, APOS = "\u00a0", "\u2019"  # French typography: no-break space, apostrophe


@pytest.fixture
def french_client(superuser_client: Client) -> Client:
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return superuser_client


def test_the_translations_page_is_in_french(french_client: Client, small_guide: Guide) -> None:
    translate(small_guide, {TAGLINE: "Chaque séance est un événement."})
    url = reverse("admin:guides_guide_translations", args=[small_guide.pk, "fr"])
    html = french_client.get(url).content.decode()
    total = len(source_texts(draft(small_guide)))
    summary = f"{total} textes{NBSP}: 1 traduit, {total - 1} manquants, 0 périmé."
    assert summary in html
    assert f"Option «{NBSP}Calendar-first{NBSP}» · accroche" in html
    assert f"Traduction en français{NBSP}: {small_guide.title}" in html
    assert 'value="Enregistrer les traductions"' in html
    assert "Télécharger le fichier PO en français" in html
    for english in ("Save translations", "Outcome “Calendar-first”", "texts:", "Download the"):
        assert english not in html


def test_a_po_import_error_is_in_french(french_client: Client, small_guide: Guide) -> None:
    po = parse_po(export(french_client, small_guide))
    po.append(polib.POEntry(msgctxt="outcomes.nowhere.name", msgid="X", msgstr="Y"))
    text = str(po)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "outcomes.nowhere.name" in t)
    before = state(small_guide)
    html = upload(french_client, small_guide, text).content.decode()
    assert f"Rien n{APOS}a été importé{NBSP}:" in html
    problem = f"ligne {line}{NBSP}: le msgctxt «{NBSP}outcomes.nowhere.name{NBSP}» ne désigne"
    assert problem in html
    assert "names no text" not in html
    assert state(small_guide) == before


def test_a_po_file_from_the_french_admin_round_trips(
    french_client: Client, small_guide: Guide
) -> None:
    text = export(french_client, small_guide)
    po = parse_po(text)
    assert (
        po.find(TAGLINE, by="msgctxt").tcomment == f"Option «{NBSP}Calendar-first{NBSP}» · accroche"
    )
    before = state(small_guide)
    response = upload(french_client, small_guide, text)
    page = french_client.get(response["Location"]).content.decode()
    assert f"il ne change rien, donc rien n{APOS}a été enregistré" in page
    assert state(small_guide) == before

    po.find(TAGLINE, by="msgctxt").msgstr = "Chaque séance est un événement."
    response = upload(french_client, small_guide, str(po))
    page = french_client.get(response["Location"]).content.decode()
    assert f"Fichier fr.po importé{NBSP}: Traduit 1 texte en français." in page
    small_guide.refresh_from_db()
    entry = entries_of(draft(small_guide), "fr")[TAGLINE]
    assert entry["text"] == "Chaque séance est un événement."


def test_the_embed_box_is_in_french(french_client: Client, small_guide: Guide) -> None:
    html = french_client.get(
        reverse("admin:guides_guide_change", args=[small_guide.pk])
    ).content.decode()
    assert f"Copier le code d{APOS}intégration" in html
    assert 'data-copied-words="Copié."' in html
    assert "Copy the embed code" not in html


def test_the_results_admin_is_in_french(french_client: Client) -> None:
    html = french_client.get(reverse("admin:results_result_changelist")).content.decode()
    assert "Résultats et limites de fréquence" in html
    assert "Results and rate limits" not in html
