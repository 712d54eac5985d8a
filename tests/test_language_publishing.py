"""Publishing per language (issue 24): a language goes live only when complete in the version
published; an incomplete one keeps the last version where it was complete, and visitors of
that language keep reading the whole, older guide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from decisionguide.content.language_lines import publish_lines
from decisionguide.content.models import Guide, PublishEvent
from decisionguide.content.schedule import publish_due
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document
from decisionguide.decision.translations import language_status, source_texts, with_translation
from decisionguide.guidefiles.loading import apply_document
from decisionguide.publishing.drafts import publish, unpublish
from decisionguide.publishing.scheduling import schedule_publish
from tests.stored_results import create, create_url, scenario_answers


def french(path: str) -> str:
    return f"FR «{path}»"


def translated(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with every text translated into French (kept: translations already made)."""
    done = {e["path"] for e in (data.get("translations") or {}).get("fr", ())}
    for path in source_texts(data):
        if path not in done:
            data = with_translation(data, "fr", path, french(path))
    return data


def load(data: dict[str, Any]) -> Guide:
    guide, _ = apply_document(parse_document(data), publish=True)
    return guide


@pytest.fixture
def french_guide(db: None, small_document: GuideDocument) -> Guide:
    return load(translated(small_document.to_data()))


def retitled(guide: Guide, title: str) -> Guide:
    """Change the English title in the draft (its French goes out of date) and publish."""
    data = guide.draft_document().to_data() | {"title": title}
    apply_document(parse_document(data), publish=False)
    publish(guide)
    guide.refresh_from_db()
    return guide


def test_a_complete_language_is_published_with_the_version(french_guide: Guide) -> None:
    assert french_guide.language_versions == {"fr": french_guide.published_version_id}
    assert publish_lines(french_guide) == ["French published"]


def test_an_out_of_date_language_keeps_its_last_complete_version(
    french_guide: Guide, client: Client
) -> None:
    old = french_guide.published_version
    guide = retitled(french_guide, "A new English title")
    assert guide.published_version.version > old.version
    assert guide.language_versions == {"fr": old.pk}
    status = language_status(guide.published_version.document, "fr")
    assert [o.path for o in status.out_of_date] == ["title"]
    assert publish_lines(guide) == [
        "French not published: 1 text out of date (title); French readers keep version "
        f"{old.version}"
    ]
    english = client.get(f"/guides/{guide.slug}/").content.decode()
    french_page = client.get(f"/fr/guides/{guide.slug}/").content.decode()
    assert "A new English title" in english
    assert "A new English title" not in french_page and french("title") in french_page
    assert "language-notice" not in french_page
    # Translated again: French moves to the newest version.
    data = with_translation(guide.draft_document().to_data(), "fr", "title", "Un titre neuf")
    apply_document(parse_document(data), publish=True)
    guide.refresh_from_db()
    assert guide.language_versions == {"fr": guide.published_version_id}
    assert "Un titre neuf" in client.get(f"/fr/guides/{guide.slug}/").content.decode()


def test_a_language_never_complete_shows_the_source_and_says_so(
    small_guide: Guide, client: Client
) -> None:
    assert small_guide.language_versions == {}
    assert publish_lines(small_guide) == []  # never translated: nothing to say
    data = small_guide.draft_document().to_data()
    small_guide = load(with_translation(data, "fr", "title", "Un titre"))
    assert small_guide.language_versions == {}
    (line,) = publish_lines(small_guide)
    assert line.startswith("French not published: ") and "texts missing" in line
    assert line.endswith("French readers see English until it is")
    response = client.get(f"/fr/guides/{small_guide.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<main id="main" class="site-main" tabindex="-1" lang="en">' in html
    assert '<p class="language-notice" lang="fr">' in html
    assert "pas encore traduit en français" in html
    assert small_guide.published_document().title in html and "Un titre" not in html
    assert "language-notice" not in client.get(f"/guides/{small_guide.slug}/").content.decode()


def test_unpublishing_hides_every_language(french_guide: Guide, client: Client) -> None:
    unpublish(french_guide)
    for prefix in ("", "/fr"):
        assert client.get(f"{prefix}/guides/{french_guide.slug}/").status_code == 404


def test_a_scheduled_publish_moves_each_language_as_publish_does(french_guide: Guide) -> None:
    old = french_guide.published_version
    data = french_guide.draft_document().to_data() | {"title": "Scheduled title"}
    apply_document(parse_document(data), publish=False)
    now = timezone.now()
    schedule_publish(french_guide, now + dt.timedelta(minutes=5), now=now)
    assert publish_due(french_guide.pk, now=now + dt.timedelta(minutes=6))
    french_guide.refresh_from_db()
    assert french_guide.published_version.document["title"] == "Scheduled title"
    assert french_guide.language_versions == {"fr": old.pk}
    # No editor was there to read a message: the history's record says it per language.
    event = PublishEvent.objects.filter(guide=french_guide).latest("pk")
    assert event.version_id == french_guide.published_version_id
    (line,) = publish_lines(french_guide)
    assert line.startswith("French not published") and f"keep version {old.version}" in line
    assert event.note.startswith("Scheduled for ") and event.note.endswith(f" {line}.")


def test_a_french_permalink_reads_the_same_after_the_english_changes(
    french_guide: Guide, client: Client
) -> None:
    doc = french_guide.published_document()
    answers = scenario_answers(doc)
    response = client.post(f"/fr{create_url(doc)}", answers)
    assert response.status_code == 303
    permalink = response["Location"]
    assert permalink.startswith("/fr/r/")
    before = client.get(permalink).content.decode()
    assert french("title") in before
    retitled(french_guide, "Yet another English title")
    after = client.get(permalink).content.decode()
    assert french("title") in after and "Yet another English title" not in after
    # French readers still see the version the result was made from: nothing newer to tell.
    assert 'class="result-update"' not in after
    # The same result in English reads its English words.
    english = client.get(permalink.removeprefix("/fr")).content.decode()
    assert doc.title in english and french("title") not in english
    assert 'class="result-update"' in english  # English moved on since
    assert create(client, doc, answers).startswith("/r/")
