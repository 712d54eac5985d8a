"""The engine's and the checks' sentences (decision.words) read in the reader's language:
one cached report, problem or map, shown in French and in English."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from decisionguide.checking.checks import report_of
from decisionguide.checking.logic_map import outline, render_svg
from decisionguide.checking.problem_words import problems_in_words
from decisionguide.content.models import Guide
from decisionguide.decision.document import DocumentError, GuideDocument
from decisionguide.decision.engine import check_answers
from decisionguide.decision.parsing import parse_document
from decisionguide.decision.words import number
from decisionguide.guidefiles.loading import apply_document

NBSP = "\N{NO-BREAK SPACE}"


def failing(doc: GuideDocument) -> dict[str, Any]:
    """The document with its first scenario expecting an outcome it doesn't get."""
    data = doc.to_data()
    scenario = data["scenarios"][0]
    scenario["outcome"] = next(
        o["slug"] for o in data["outcomes"] if o["slug"] != scenario["outcome"]
    )
    return data


def test_one_cached_report_reads_in_french_and_in_english(small_document: GuideDocument) -> None:
    doc = parse_document(failing(small_document))
    report = report_of(doc)
    assert report_of(doc) is report  # kept once, whatever language reads it
    scenario = doc.scenarios[0]
    with translation.override("fr"):
        french = [str(line) for line in problems_in_words(report, doc)]
        method = str(report.reachability.describe_method())
    with translation.override("en"):
        english = [str(line) for line in problems_in_words(report, doc)]
    assert french[0].startswith(f"Le scénario «{NBSP}{scenario.title}{NBSP}» donne «{NBSP}")
    assert "au lieu de" in french[0] and "expected" not in french[0]
    assert english[0].startswith(f"Scenario “{scenario.title}” gives “")
    assert ", expected “" in english[0]
    assert method.startswith("recherche exhaustive sur ")
    explanation = report.failed_scenarios[0].explanation
    with translation.override("fr"):
        assert " a rapporté " in str(explanation.answers[0].text())
    with translation.override("en"):
        assert " pushed " in str(explanation.answers[0].text())


def test_a_document_error_reads_in_the_language_it_is_read_in(
    small_document: GuideDocument,
) -> None:
    data = small_document.to_data()
    data["default_outcome"] = "nowhere"
    with pytest.raises(DocumentError) as raised:
        parse_document(data)
    with translation.override("fr"):
        assert raised.value.message.startswith("option inconnue 'nowhere' (options connues")
        assert str(raised.value) == f"default_outcome: {raised.value.message}"
    with translation.override("en"):
        assert raised.value.message.startswith("unknown outcome 'nowhere' (known: ")


def test_answer_problems_and_counts_in_french(small_document: GuideDocument) -> None:
    (problem, *_) = check_answers(small_document, {}, complete=True)
    with translation.override("fr"):
        assert f"{NBSP}: réponse manquante (valeurs possibles{NBSP}: " in problem.message
        assert str(number(174960)) != "174,960"
    with translation.override("en"):
        assert ": missing answer (allowed: " in problem.message
        assert str(number(174960)) == "174,960"


def test_the_logic_map_in_french(small_document: GuideDocument) -> None:
    with translation.override("fr"):
        svg = render_svg(small_document)
        facts = [str(fact.text) for fact in outline(small_document)]
    assert "Les questions, dans l\N{RIGHT SINGLE QUOTATION MARK}ordre où elles sont posées" in svg
    assert "Questions, in the order they are asked" not in svg
    assert facts[0].startswith(f"Question 1{NBSP}: ")
    with translation.override("en"):
        assert str(outline(small_document)[0].text).startswith("Question 1: ")


@pytest.mark.django_db
def test_the_checks_page_says_the_engine_sentences_in_french(
    small_guide: Guide, small_document: GuideDocument, superuser_client: Client
) -> None:
    apply_document(parse_document(failing(small_document)), publish=False)
    url = reverse("admin:guides_guide_checks", args=[small_guide.pk])
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = superuser_client.get(url).content.decode()
    assert "recherche exhaustive sur " in french
    assert "exhaustive search over all" not in french
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = superuser_client.get(url).content.decode()
    assert "exhaustive search over all" in english
