"""The seed guide read, answered and shared in French (issue 24): every public page of every
scenario's walk says it is French and shows none of the guide's English; the verdicts are
the same in both languages; content files keep translations losslessly; the pseudo-locale
shows any guide text that skipped the document."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from django.test import Client

from decisionguide.catalogues import CLOSE, OPEN
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate, shown_questions
from decisionguide.decision.parsing import parse_document
from decisionguide.decision.translations import (
    decision_in,
    document_in,
    language_status,
    source_texts,
)
from decisionguide.guidefiles.yaml_io import dump_document_yaml, read_guide_text
from decisionguide.guides.markdown import render_markdown
from decisionguide.pagecache.languages import pseudo_document
from decisionguide.results.models import Result
from tests.conftest import SEED_FILE
from tests.questionnaire_pages import page_url, question_url
from tests.stored_results import create_url, scenario_answers
from tests.test_i18n import Page, outside_markers, words
from tests.test_i18n import pseudo_locale as pseudo_locale  # a fixture


def plain(text: str, doc: GuideDocument) -> list[str]:
    """The pieces of text a page shows for a Markdown text (tags split it)."""
    html = re.sub(r"<[^>]+>", "\n", render_markdown(text, doc))
    return [words(piece) for piece in html.split("\n") if words(piece)]


def english_phrases(doc: GuideDocument, french: GuideDocument) -> set[str]:
    """Pieces of the guide's English of four words or more that its French doesn't share
    (a name kept as it is in both languages is no English left behind)."""
    kept = {p for t in source_texts(french.to_data()).values() for p in plain(t, french)}
    return {
        piece
        for text in source_texts(doc.to_data()).values()
        for piece in plain(text, doc)
        if len(piece.split()) >= 4 and piece not in kept
    }


def french_pages(client: Client, doc: GuideDocument, index: int) -> dict[str, str]:
    """Every page of scenario `index`'s walk in French, by name -> URL."""
    answers = scenario_answers(doc, index)
    urls = {"guide": f"/fr/guides/{doc.slug}/"}
    asked: dict[str, str] = {}
    for question in shown_questions(doc, answers):
        urls[f"question {question.slug}"] = "/fr" + question_url(doc, question, dict(asked))
        asked[question.slug] = answers[question.slug]
    urls["check"] = "/fr" + page_url("questionnaire-check", doc, answers)
    response = client.post(f"/fr{create_url(doc)}", answers)
    assert response.status_code == 303
    permalink = response["Location"]
    assert permalink.startswith("/fr/r/")
    urls["permalink"] = permalink
    html = client.get(permalink).content.decode()
    whatif = re.search(r'href="(/fr/r/[^"]+/what-if/\?[^"]+)"', html)
    assert whatif is not None
    urls["what-if"] = unescape(whatif.group(1))
    for page in doc.linked_pages[:2]:
        urls[f"page {page.slug}"] = f"/fr/guides/{doc.slug}/pages/{page.slug}/"
    return urls


@pytest.fixture
def seed(seed_guide: Guide) -> tuple[GuideDocument, GuideDocument]:
    doc = seed_guide.published_document()
    return doc, document_in(doc, "fr")


def test_the_seed_guide_is_published_in_french(seed_guide: Guide) -> None:
    status = language_status(seed_guide.published_version.document, "fr")
    assert status.complete and status.total == status.translated > 250
    assert seed_guide.language_versions == {"fr": seed_guide.published_version_id}


def test_every_scenario_walked_in_french_meets_no_english(client: Client, seed) -> None:
    doc, french = seed
    english = english_phrases(doc, french)
    assert len(english) > 100
    for index, scenario in enumerate(doc.scenarios):
        for name, url in french_pages(client, doc, index).items():
            response = client.get(url)
            assert response.status_code == 200, (scenario.slug, name)
            page = Page(response.content.decode())
            assert page.html_attrs["lang"] == "fr", name
            assert page.alternates["fr"] == "http://testserver" + url.split("?")[0] + (
                "?" + url.split("?", 1)[1] if "?" in url else ""
            ), name
            shown = words(" \n ".join(page.texts))
            left = [phrase for phrase in english if phrase in shown]
            assert left == [], (scenario.slug, name, left[:3])
            assert "language-notice" not in response.content.decode(), name
    outcome = french.outcome(evaluate(doc, scenario_answers(doc, 0)).outcome or "")
    assert outcome is not None and outcome.name != doc.outcome(outcome.slug).name


def test_the_same_answers_give_the_same_verdict_in_both_languages(client: Client, seed) -> None:
    doc, french = seed
    for index in range(len(doc.scenarios)):
        answers = scenario_answers(doc, index)
        made = []
        for prefix in ("", "/fr"):
            response = client.post(f"{prefix}{create_url(doc)}", answers)
            made.append(Result.objects.get(pk=response["Location"].rstrip("/").split("/")[-1]))
        outcome = evaluate(doc, answers).outcome
        assert made[0].decision == made[1].decision and made[0].decision["outcome"] == outcome
        # Worded in French, the stored decision is what the French document gives.
        assert decision_in(evaluate(doc, answers), french, doc) == evaluate(french, answers)
        assert evaluate(french, answers).outcome == outcome


def test_a_content_file_writes_source_only_when_out_of_date(seed_document) -> None:
    text = dump_document_yaml(seed_document)
    assert "\n  fr:\n" in text and "    source:" not in text
    assert read_guide_text(text, "again") == seed_document
    # The English changes: the file keeps the French and the English it was made from.
    data = seed_document.to_data()
    data["title"] = "A changed English title"
    changed = parse_document(data)
    text = dump_document_yaml(changed)
    assert text.count("    source:") == 1
    assert f"source: {seed_document.title}" in text or "source: '" in text
    again = read_guide_text(text, "again")
    assert again == changed
    assert [o.path for o in language_status(again.to_data(), "fr").out_of_date] == ["title"]


def test_the_seed_file_holds_its_french_without_sources() -> None:
    data = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    entries = data["translations"]["fr"]
    assert all(set(entry) == {"path", "text"} for entry in entries)
    assert len(entries) == len(source_texts(parse_document(data).to_data()))


def test_a_french_guide_page_is_cached_apart_from_the_english(client: Client, seed) -> None:
    doc, french = seed
    english_html = client.get(f"/guides/{doc.slug}/").content.decode()
    french_html = client.get(f"/fr/guides/{doc.slug}/").content.decode()
    assert unescape(doc.title) in unescape(english_html)
    assert unescape(french.title) in unescape(french_html)
    assert unescape(doc.title) not in unescape(french_html)


# ---------------------------------------------------------------------------
# The pseudo-locale


def test_pseudo_guide_texts_keep_markdown_links_and_limits(seed_document) -> None:
    pseudo = pseudo_document(seed_document)
    assert [q.slug for q in pseudo.questions] == [q.slug for q in seed_document.questions]
    before, after = seed_document.to_data(), pseudo.to_data()
    for path, text in source_texts(after).items():
        assert OPEN in text, path
        targets = re.findall(r"\]\(([^)]*)\)", source_texts(before)[path])
        assert re.findall(r"\]\(([^)]*)\)", text) == targets, path


def test_every_public_page_in_the_pseudo_locale_shows_no_source_text(
    client: Client, seed_guide: Guide, pseudo_locale: Path
) -> None:
    doc = seed_guide.published_document()
    english = {
        piece
        for text in source_texts(doc.to_data()).values()
        for piece in plain(text, doc)
        if len(piece.split()) >= 3
    }
    urls = {
        name: url.replace("/fr/", "/en-xa/", 1)
        for name, url in french_pages(client, doc, 0).items()
    }
    response = client.post(f"/en-xa{create_url(doc)}", scenario_answers(doc, 0))
    urls["permalink"] = response["Location"]
    assert urls["permalink"].startswith("/en-xa/r/")
    for name, url in urls.items():
        html = client.get(url).content.decode()
        left = words(outside_markers("\n".join(Page(html).texts)))
        assert [p for p in english if p in left] == [], name
        assert CLOSE in html, name


def test_the_429_and_404_pages_follow_the_url_language(client: Client, seed, settings) -> None:
    doc, _ = seed
    settings.DECISIONGUIDE_RESULTS_PER_HOUR = 0
    response = client.post(f"/fr{create_url(doc)}", scenario_answers(doc))
    assert response.status_code == 429
    page = Page(response.content.decode())
    assert page.html_attrs["lang"] == "fr" and "Trop de demandes" in " ".join(page.texts)
    back = re.search(r'href="([^"]+)">revenez à vos réponses', response.content.decode())
    assert back is not None and back.group(1).startswith(f"/fr/guides/{doc.slug}/check/")
    missing = client.get(f"/fr/r/{'x' * 10}/")
    assert missing.status_code == 404 and Page(missing.content.decode()).html_attrs["lang"] == "fr"
