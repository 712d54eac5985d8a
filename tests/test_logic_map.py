"""The picture of a guide's logic: every question, choice, outcome, gate and note, linked."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from decisionguide.checking.logic_map import render_svg, text_alternative
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.parsing import parse_document

SVG = "{http://www.w3.org/2000/svg}"


def links(kind: str, key: str) -> str:
    return f"/edit/{kind}/{key}/"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def hrefs(root: ET.Element) -> set[str]:
    return {a.get("href") for a in root.iter(f"{SVG}a")}


def test_the_map_holds_every_question_and_outcome_with_links(seed_document: GuideDocument):
    doc = seed_document
    root = parse(render_svg(doc, links))
    words = texts(root)
    found = hrefs(root)
    for number, question in enumerate(doc.questions, start=1):
        assert f"/edit/question/{question.slug}/" in found
        assert f"{number}. {question.prompt[:40]}" in words
        for choice in question.choices:
            assert f"/edit/choice/{question.slug}/{choice.slug}/" in found
    for outcome in doc.outcomes:
        assert f"/edit/outcome/{outcome.slug}/" in found
        assert outcome.name in words
    assert {f"/edit/gate/{i}/" for i in range(len(doc.gates))} <= found
    assert {f"/edit/note/{n.slug}/" for n in doc.notes} <= found
    routes = {c.route for q in doc.questions for c in q.choices if c.route}
    assert {f"/edit/page/{slug}/" for slug in routes} <= found


def test_each_push_is_drawn_with_its_points(seed_document: GuideDocument):
    doc = seed_document
    root = parse(render_svg(doc))
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    pushes = [
        (c.label, o, p) for q in doc.questions for c in q.choices for o, p in c.points.items() if p
    ]
    assert len(bars) == len(pushes)
    titles = {b.find(f"{SVG}title").text for b in bars}
    for label, outcome, points in pushes:
        assert f"{label}: {points:+d} for {doc.outcome(outcome).name}" in titles
    # Harder pushes draw longer bars.
    widths = {}
    for bar in bars:
        points = int(bar.find(f"{SVG}title").text.rsplit(":", 1)[1].split()[0])
        widths.setdefault(abs(points), set()).add(float(bar.get("width")))
    lengths = [max(widths[p]) for p in sorted(widths)]
    assert lengths == sorted(lengths) and len(set(lengths)) == len(lengths)


def test_the_map_has_a_text_alternative(seed_document: GuideDocument):
    root = parse(render_svg(seed_document))
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert all(i in ids for i in labelled)
    desc = "".join(ids["logic-map-desc"].itertext())
    assert desc == "\n".join(text_alternative(seed_document))
    for question in seed_document.questions:
        assert question.prompt in desc


def test_editors_text_is_escaped_and_nothing_runs(small_document: GuideDocument):
    data = small_document.to_data()
    payload = '"><script>alert(1)</script><a href="javascript:x">'
    data["questions"][0]["prompt"] = payload + "?"
    data["outcomes"][0]["name"] = payload
    svg = render_svg(parse_document(data), links)
    root = parse(svg)  # still well-formed XML
    assert not list(root.iter(f"{SVG}script")) and "<script" not in svg
    assert all(not (a.get("href") or "").startswith("javascript:") for a in root.iter(f"{SVG}a"))
    assert payload[:20] in texts(root)


@pytest.mark.django_db
def test_checkguide_draws_the_map(tmp_path: Path, seed_file: Path):
    out = io.StringIO()
    target = tmp_path / "map.svg"
    call_command("checkguide", "--file", str(seed_file), "--map", str(target), stdout=out)
    assert f"Map of the logic: {target}" in out.getvalue()
    assert parse(target.read_text()).tag == f"{SVG}svg"
    with pytest.raises(CommandError):
        call_command(
            "checkguide", "--file", str(seed_file), "--map", str(tmp_path / "no" / "x.svg")
        )


def test_the_map_needs_no_inline_style(seed_document: GuideDocument):
    # Inlined in admin pages whose Content-Security-Policy refuses inline styles.
    svg = render_svg(seed_document, links)
    assert "<style" not in svg and " style=" not in svg
    linked = [a.find(f"{SVG}text") for a in parse(svg).iter(f"{SVG}a")]
    assert all(t is not None and t.get("text-decoration") == "underline" for t in linked)
