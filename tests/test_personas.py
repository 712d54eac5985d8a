"""Personas written from the source article, taken through the seed guide.

Each persona is a solo operator (or one with a little help) described by a
sentence of the article, named in its `why` (tests/data/personas.yaml). Every persona is
run twice: through `manage.py recommend` (the engine as editors and tools
see it) and through the web questionnaire (every question answered the way
a visitor would, the result saved and its permalink read). Both must give
the article's answer, show the notes the article's rule calls for, and never
show a note that argues against the recommendation.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from decisionguide.decision.document import GuideDocument
from tests.answers import BUSY_BOTH, IN_GUIDE, result_form, week

CRM, PM, HYBRID = "crm-first", "pm-first", "hybrid"


@dataclass(frozen=True)
class Persona:
    name: str
    answers: dict[str, str]
    outcome: str | None = None
    route: str | None = None
    notes: frozenset[str] = frozenset()
    not_notes: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    close_call: bool = False
    why: str = ""
    decided_by: str | None = None  # what settled a close call ("default" or a question)


# What each persona's answers start from before its own answers: an ordinary week,
# a week busy on both sides, or nothing but the answers it lists.
STARTS = {"ordinary-week": week(), "busy-both-sides": BUSY_BOTH, "nothing": {}}
PERSONAS_FILE = Path(__file__).parent / "data" / "personas.yaml"


def read_personas(path: Path) -> list[Persona]:
    """tests/data/personas.yaml: each entry names the article's rule it comes from (`why`)."""
    personas = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        answers = {**IN_GUIDE, **STARTS[entry["starts_from"]], **entry["answers"]}
        personas.append(
            Persona(
                entry["name"],
                answers,
                entry.get("outcome"),
                route=entry.get("route"),
                notes=frozenset(entry.get("notes", ())),
                not_notes=frozenset(entry.get("not_notes", ())),
                excluded=frozenset(entry.get("excluded", ())),
                close_call=entry.get("close_call", False),
                why=entry["why"],
                decided_by=entry.get("decided_by"),
            )
        )
    return personas


PERSONAS = read_personas(PERSONAS_FILE)


@pytest.fixture(scope="module")
def doc(seed_document: GuideDocument) -> GuideDocument:
    return seed_document


def check_decision(doc: GuideDocument, p: Persona, data: dict) -> None:
    assert data["route"] == p.route, p.name
    if p.route is None:
        assert data["outcome"] == (p.outcome or data["outcome"]), p.name
        assert data["outcome"] not in p.excluded, p.name
    assert p.excluded <= set(data["excluded"]), p.name
    assert p.notes <= set(data["notes"]), (p.name, data["notes"])
    assert not p.not_notes & set(data["notes"]), (p.name, data["notes"])
    assert bool(data.get("close_call")) == p.close_call, p.name
    if p.decided_by is not None:
        assert data["decided_by"] == p.decided_by, p.name
    for slug in data["notes"]:
        note = next(n for n in doc.notes if n.slug == slug)
        assert not note.argues_against_outcome(data["outcome"] or ""), (p.name, slug)


def test_there_are_enough_personas() -> None:
    assert len(PERSONAS) >= 20
    assert len({p.name for p in PERSONAS}) == len(PERSONAS)
    assert all(p.why.strip() for p in PERSONAS), "every persona names the rule it comes from"


@pytest.mark.django_db
@pytest.mark.parametrize("p", PERSONAS, ids=lambda p: p.name)
def test_persona_through_recommend(seed_guide, doc: GuideDocument, p: Persona) -> None:
    out = io.StringIO()
    call_command("recommend", doc.slug, *[f"{q}={c}" for q, c in p.answers.items()], stdout=out)
    check_decision(doc, p, json.loads(out.getvalue()))


def walk_in_browser_order(client: Client, doc: GuideDocument, answers: dict[str, str]) -> str:
    """Answer each question the site asks, as a visitor would; the URL it ends on."""
    url = reverse("questionnaire-start", args=[doc.slug])
    for _ in range(3 * len(doc.questions) + 3):
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            url = response["Location"]
            continue
        assert response.status_code == 200
        match = re.search(r"/questions/([^/]+)/$", urlsplit(url).path)
        if match is None:
            return url
        question = match.group(1)
        query = urlsplit(url).query
        answer = urlencode({question: answers[question]})
        url = reverse("questionnaire-answer", args=[doc.slug, question])
        url += f"?{query}&{answer}" if query else f"?{answer}"
    raise AssertionError("the questionnaire did not end")


@pytest.mark.django_db
@pytest.mark.parametrize("p", PERSONAS, ids=lambda p: p.name)
def test_persona_through_the_web(seed_guide, doc: GuideDocument, p: Persona) -> None:
    client = Client()
    end = walk_in_browser_order(client, doc, p.answers)
    if p.route is not None:
        assert urlsplit(end).path == reverse("questionnaire-route", args=[doc.slug])
        page = client.get(end).content.decode()
        assert doc.linked_page(p.route).title in page
        return
    assert urlsplit(end).path == reverse("questionnaire-check", args=[doc.slug])
    form = result_form(client.get(end).content.decode())
    response = client.post(form.action, dict(form.fields))
    assert response.status_code == 303, p.name
    permalink = response["Location"]
    data = json.loads(client.get(permalink.rstrip("/") + ".json").content)
    check_decision(doc, p, data)
    html = unescape(client.get(permalink).content.decode())
    outcome = doc.outcome(data["outcome"])
    assert f"Your recommendation: {outcome.name}" in html
    for note in doc.notes:
        assert (note.title in html) == (note.slug in data["notes"]), (p.name, note.slug)
    if p.decided_by == "default" or (p.close_call and p.decided_by is None):
        assert "so the guide's default" in html
    elif p.decided_by:
        # The page says in plain words what settled it: the tie-break's explanation.
        tie_break = next(t for t in doc.tie_breaks if t.question == p.decided_by)
        assert "a close call, settled by your answer" in html
        assert " ".join(tie_break.explanation.split()) in " ".join(html.split())
